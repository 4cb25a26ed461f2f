/** Time as a port, so the scheduler's day and hour boundaries are tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
