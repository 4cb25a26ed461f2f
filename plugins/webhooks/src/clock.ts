/** The clock port: every time-dependent rule (60 s, 5 min, 24 h) reads time through it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
