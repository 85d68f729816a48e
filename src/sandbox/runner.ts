import type { SettableClock } from '../lib/clock';
import type { Scheduler } from '../jobs/scheduler';
import type { Outbox } from '../outbox/outbox';
import { logger } from '../lib/logger';

/**
 * Drives jobs and pushes in sandbox mode, where time can be fast-forwarded: every second it
 * runs what is due by the sandbox clock; `advanceTo` runs everything in between, in order,
 * with the clock set to each job's time. One at a time, so a tick never races an advance.
 */
export class SandboxRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly clock: SettableClock,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private pump = async () => {
    await this.outbox.pump();
  };

  tick(): Promise<number> {
    return this.serial(() => this.scheduler.runUntil(this.clock, this.clock.now(), this.pump));
  }

  advanceTo(target: Date): Promise<number> {
    return this.serial(async () => {
      if (target <= this.clock.now()) return 0;
      return this.scheduler.runUntil(this.clock, target, this.pump);
    });
  }

  /** Runs `fn` between ticks (e.g. a reset wiping the database). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(fn);
  }

  start(everyMs = 1000): void {
    this.timer = setInterval(() => {
      this.tick().catch((err) =>
        logger.error({ err: (err as Error).message }, 'sandbox tick failed'),
      );
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.chain;
  }
}
