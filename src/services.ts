import type { Settings } from './config/settings';
import type { Clock } from './lib/clock';
import type { Outbox } from './outbox/outbox';
import type { Scheduler } from './jobs/scheduler';
import type { PiiCipher } from './lib/pii';
import type { SchoolCalendar } from './domain/calendar';
import type { Notify } from './notify/notify';

/** What operations, commands, jobs and routes need; built once in boot.ts (tests use boot too). */
export interface Services {
  settings: Settings;
  clock: Clock;
  outbox: Outbox;
  scheduler: Scheduler;
  pii: PiiCipher;
  cal: SchoolCalendar;
  notify: Notify;
}
