import type { Dispatcher } from '../chat/dispatch';
import type { Services } from '../services';
import { JOBS } from '../jobs/kinds';
import { broadcastCommands } from './commands';
import { onBroadcastCard } from './ops/decide';
import { nextSettle, settleBroadcasts } from './ops/settle';
import { ensureScheduledNotices, runScheduledNotice } from './ops/scheduled';

/** Broadcasts (issue #12): commands, the preview card's buttons, the settle sweep, schedules. */
export async function registerBroadcasts(
  dispatcher: Dispatcher,
  s: Services,
  opts: { cycles?: boolean },
): Promise<void> {
  dispatcher.register(...broadcastCommands);
  // b:send:<id> / b:cancel:<id>; the broadcast's own status decides, so a second click is told.
  dispatcher.onCard('b', (ctx, key, _taskId, responseCode) =>
    onBroadcastCard(ctx, key, responseCode),
  );
  dispatcher.repeatableCards('b', () => true);
  await s.scheduler.source('broadcast.settle', 30, {
    next: nextSettle,
    run: (now) => settleBroadcasts(s, now),
    now: () => s.clock.now(),
  });
  s.scheduler.handle(JOBS.scheduledNotice, (a) => runScheduledNotice(s, a));
  if (opts.cycles !== false) await ensureScheduledNotices(s);
}
