import type { Clock } from '../../src/core/clock';

/** A clock that only moves when the test says so. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date | string = '2026-01-05T10:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }

  set(to: Date | string): void {
    this.#now = new Date(to).getTime();
  }
}

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
