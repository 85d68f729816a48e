import type { Outbox } from './outbox';
import { logger } from '../lib/logger';

/**
 * Drives the outbox pump in-process instead of a polling job (issue #11: idle ≤ 2 database
 * commands per second). After a round it sleeps until the earliest waiting row is due —
 * `busySeconds` while rows are due now (the throttle holds them), at most `idleSeconds` with
 * nothing waiting (rows another instance wrote, or left behind when it died) — and an enqueue
 * in this process wakes it at once. Every instance runs one; the pump's claims keep them apart.
 */
export class PumpLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly outbox: Outbox,
    private readonly busySeconds: number,
    private readonly idleSeconds = 30,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.stopped = false;
    this.outbox.onEnqueued = () => this.wake();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.outbox.onEnqueued = undefined;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a round now, or right after the one under way. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async round(): Promise<void> {
    let settled = 0;
    try {
      settled = await this.outbox.pump();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'outbox pump failed');
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), this.delayMs(settled));
    this.timer.unref();
  }

  private delayMs(settled: number): number {
    const busy = this.busySeconds * 1000;
    const idle = Math.max(busy, this.idleSeconds * 1000);
    if (settled) return busy;
    const due = this.outbox.nextDueAt;
    if (!due) return idle;
    return Math.min(idle, Math.max(busy, due.getTime() - this.now().getTime()));
  }
}
