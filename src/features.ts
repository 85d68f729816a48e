import type { Dispatcher } from './chat/dispatch';
import type { Services } from './services';
import { answerChoice } from './chat/lookup';
import { rosterCommands } from './roster/commands';
import { caseCommands } from './cases/commands';
import { onDutyCard } from './cases/cards';
import { nextCaseWake, sweepCases } from './cases/sweep';
import { enrollmentCommands } from './enrollment/commands';
import { Reporting } from './reports/reporting';
import { Handoffs } from './reports/handoff';
import { handoffCommands } from './chat/commands/handoff';
import { reportCommands } from './chat/commands/reports';
import { retentionCommand } from './chat/commands/retention';
import { JOBS } from './jobs/kinds';
import { fromIsoDay } from './lib/time';
import { checkRegistration, registrationCheckAt, remindRegistration } from './cases/registration';

/** Every feature registers its commands, card handlers and jobs here. */
export async function registerFeatures(
  dispatcher: Dispatcher,
  s: Services,
  opts: { cycles?: boolean } = {},
): Promise<{ reporting: Reporting; handoffs: Handoffs }> {
  dispatcher.register(...rosterCommands, ...caseCommands, ...enrollmentCommands);
  // Card buttons name their duty: d:<action>:<dutyId>.
  dispatcher.onCard('d', (ctx, key, _taskId, responseCode) => onDutyCard(ctx, key, responseCode));
  // A bare number answers the last numbered choice ("1" → 缺勤 G3602…).
  dispatcher.rewrite = (ctx, text) => answerChoice(ctx.actor.userid, text, ctx.now);
  // Deadlines are data: one sweeper over the cases whose time has come.
  await s.scheduler.source('cases.sweep', s.settings.ladder.sweepEverySeconds, {
    next: nextCaseWake,
    run: (now) => sweepCases(s, now),
    now: () => s.clock.now(),
  });

  s.scheduler.handle(JOBS.registrationRemind, (a) => remindRegistration(s, a));
  s.scheduler.handle(JOBS.registrationCheck, async (a) => void (await checkRegistration(s, a)));

  const reporting = new Reporting(s);
  dispatcher.register(...reportCommands(reporting), retentionCommand);
  s.scheduler.handle(JOBS.monthlyReport, (a) => reporting.onMonthly(a));
  s.scheduler.handle(JOBS.quarterlyReport, (a) => reporting.onQuarterly(a));
  s.scheduler.handle(JOBS.campaign, (a) => reporting.onCampaign(a));
  s.scheduler.handle(JOBS.visitRound, (a) => reporting.onVisitRound(a));
  s.scheduler.handle(JOBS.reportDeadline, (a) => reporting.onDeadline(a));
  const handoffs = new Handoffs(s);
  dispatcher.register(...handoffCommands(handoffs));
  s.scheduler.handle(JOBS.handoffRemind, (a) => handoffs.onRemind(a));
  s.scheduler.handle(JOBS.handoffCheck, (a) => handoffs.onCheck(a));
  if (opts.cycles !== false) {
    await scheduleRegistration(s);
    await reporting.ensureCycles();
    await handoffs.ensure();
  }
  return { reporting, handoffs };
}

/** Each semester's registration reminder (first school morning) and check (its Nth school day). */
async function scheduleRegistration(s: Services): Promise<void> {
  const now = s.clock.now();
  for (const sem of s.settings.calendar.semesters) {
    const first = fromIsoDay(s.cal.onOrAfter(sem.start), s.settings.ladder.morningCheckAt);
    const check = registrationCheckAt(s, sem.start);
    if (first > now)
      await s.scheduler.schedule(JOBS.registrationRemind, { semester: sem.start }, first);
    if (check > now)
      await s.scheduler.schedule(JOBS.registrationCheck, { semester: sem.start }, check);
  }
}
