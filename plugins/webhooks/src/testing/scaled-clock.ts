/**
 * Test support: a clock running `factor` times faster than real time (from the moment it is made),
 * so the status machine's 60 s reactivation passes in 60 / factor real seconds. An alternative
 * implementation of the clock port; production code reads time only through it.
 */
import type { Clock } from '../clock.js';

export class ScaledClock implements Clock {
  private readonly startReal = Date.now();
  private readonly startClock: number;

  constructor(
    private readonly factor: number,
    start: Date = new Date(),
  ) {
    this.startClock = start.getTime();
  }

  now(): Date {
    return new Date(this.startClock + (Date.now() - this.startReal) * this.factor);
  }
}
