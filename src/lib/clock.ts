/**
 * Every rule takes `now` from a Clock so tests (and the sandbox) can walk whole weeks.
 * Production uses the system clock; ManualClock is set or advanced explicitly.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests and the sandbox can move (the job driver sets it to each job's time). */
export interface SettableClock extends Clock {
  set(to: Date | string): void;
}

export class ManualClock implements SettableClock {
  private current: number;
  constructor(start: Date | string = new Date()) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The sandbox's clock: real time plus an offset, so time flows by itself and can also be
 * fast-forwarded ("next morning") without touching the machine's clock.
 */
export class OffsetClock implements SettableClock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  set(to: Date | string): void {
    this.offset = new Date(to).getTime() - Date.now();
  }
}
