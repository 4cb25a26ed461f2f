/** The clock port: every time-dependent rule (60 s, 5 min, 24 h) reads time through it. */
export interface Clock {
  now(): Date;
  /**
   * How many real milliseconds `ms` of this clock's time last: how long a message waiting for an
   * endpoint's reactivation is set aside. An accelerated clock (tests) shortens it.
   * @default ms (the system clock)
   */
  realMs?(ms: number): number;
}

export const systemClock: Clock = { now: () => new Date() };
