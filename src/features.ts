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
import { exportCommand } from './chat/commands/export';
import { JOBS } from './jobs/kinds';
import { fromIsoDay } from './lib/time';
import { checkRegistration, registrationCheckAt, remindRegistration } from './cases/registration';
import { preventionCommands } from './prevention/commands';
import { draftRewrite } from './prevention/ops/visit-exchange';
import { nextPreventionWake, sweepPrevention } from './prevention/sweep';
import { campaignCheck } from './prevention/jobs';
import { normalize } from './chat/normalize';
import { isHowQuestion, nearVerb, parseCommand } from './chat/grammar';
import { registerBroadcasts } from './broadcast/register';
import { broadcastCommands } from './broadcast/commands';

/** A near command word first (「家方 付天佑」「缺琴 方承泽」) or a how-question (「请问怎么报缺勤」). */
function looksLikeCommand(t: string, dispatcher: Dispatcher): boolean {
  const first = normalize(t).split(/[\s，,、；;：:]+/)[0] ?? '';
  const cmds = dispatcher.commandWords();
  return nearVerb(first, cmds) !== undefined || isHowQuestion(t, cmds);
}

/** Every feature registers its commands, card handlers and jobs here. */
export async function registerFeatures(
  dispatcher: Dispatcher,
  s: Services,
  opts: { cycles?: boolean } = {},
): Promise<{ reporting: Reporting; handoffs: Handoffs }> {
  dispatcher.register(...rosterCommands, ...caseCommands, ...enrollmentCommands);
  dispatcher.register(...preventionCommands);
  // Card buttons name their duty: d:<action>:<dutyId>.
  dispatcher.onCard('d', (ctx, key, _taskId, responseCode) => onDutyCard(ctx, key, responseCode));
  dispatcher.repeatableCards('d', (key) => key.startsWith('d:details:'));
  // A bare number answers the last numbered choice ("1" → 缺勤 G3602…).
  // An open visit exchange (家访 …, then the missing parts) takes the next non-command reply.
  const verbs: string[] = ['帮助'];
  const know = (...cmds: { name: string; aliases: string[] }[]) =>
    verbs.push(...cmds.flatMap((c) => [c.name, ...c.aliases]));
  know(...rosterCommands, ...caseCommands, ...enrollmentCommands, ...preventionCommands);
  // 发送 / 取消 stay answers: an open visit exchange takes 取消 as "skip" before them.
  know(...broadcastCommands.filter((c) => c.name !== '发送' && c.name !== '取消'));
  const isCommand = (t: string) => verbs.some((v) => normalize(t).startsWith(v));
  const sense = {
    isCommand,
    looksLikeCommand: (t: string) => looksLikeCommand(t, dispatcher),
    parsesWith: (t: string, names: string[]) =>
      parseCommand(t, dispatcher.commandWords(), names).kind === 'command',
  };
  dispatcher.rewrite = async (ctx, text) =>
    (await draftRewrite(ctx, text, sense)) ?? answerChoice(ctx.actor.userid, text, ctx.now);
  // Deadlines are data: one sweeper over the cases whose time has come.
  await s.scheduler.source('cases.sweep', s.settings.ladder.sweepEverySeconds, {
    next: nextCaseWake,
    run: (now) => sweepCases(s, now),
    now: () => s.clock.now(),
  });

  s.scheduler.handle(JOBS.registrationRemind, (a) => remindRegistration(s, a));
  s.scheduler.handle(JOBS.registrationCheck, async (a) => void (await checkRegistration(s, a)));
  // Prevention (issue #13): the at-risk contact rhythm and visits' next-contact reminders.
  await s.scheduler.source('prevention.sweep', s.settings.prevention.sweepEverySeconds, {
    next: nextPreventionWake,
    run: (now) => sweepPrevention(s, now),
    now: () => s.clock.now(),
  });
  s.scheduler.handle(JOBS.campaignCheck, (a) => campaignCheck(s, a));

  const reporting = new Reporting(s);
  dispatcher.register(...reportCommands(reporting), retentionCommand);
  know(...reportCommands(reporting), retentionCommand);
  dispatcher.register(exportCommand);
  know(exportCommand);
  s.scheduler.handle(JOBS.monthlyReport, (a) => reporting.onMonthly(a));
  s.scheduler.handle(JOBS.quarterlyReport, (a) => reporting.onQuarterly(a));
  s.scheduler.handle(JOBS.campaign, (a) => reporting.onCampaign(a));
  s.scheduler.handle(JOBS.visitRound, (a) => reporting.onVisitRound(a));
  s.scheduler.handle(JOBS.reportDeadline, (a) => reporting.onDeadline(a));
  const handoffs = new Handoffs(s);
  dispatcher.register(...handoffCommands(handoffs));
  know(...handoffCommands(handoffs));
  s.scheduler.handle(JOBS.handoffRemind, (a) => handoffs.onRemind(a));
  s.scheduler.handle(JOBS.handoffCheck, (a) => handoffs.onCheck(a));
  // Broadcasts (issue #12): 通知 with preview, 催报, 定时通知, 通知情况.
  await registerBroadcasts(dispatcher, s, opts);
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
