import type { Settings } from './config/settings';
import type { Clock } from './lib/clock';
import type { Outbox } from './outbox/outbox';
import type { Scheduler } from './jobs/scheduler';
import type { PiiCipher } from './lib/pii';

/** What commands, jobs and routes need; built once in boot.ts, built by hand in tests. */
export interface Services {
  settings: Settings;
  clock: Clock;
  outbox: Outbox;
  scheduler: Scheduler;
  pii: PiiCipher;
}
