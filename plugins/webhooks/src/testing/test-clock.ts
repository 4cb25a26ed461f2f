/** Test support: a clock that only moves when told to. */
import type { Clock } from '../clock.js';

export class TestClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-11-23T10:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
