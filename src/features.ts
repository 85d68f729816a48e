import type { Dispatcher } from './chat/dispatch';
import type { Services } from './services';
import { findStaff } from './roster/directory';
import { rosterCommands } from './chat/commands/roster';
import { ladderCommands } from './chat/commands/ladder';
import { answerChoice } from './chat/lookup';
import { audit } from './models/audit';
import { Ladder } from './ladder/ladder';
import { LadderJobs } from './ladder/jobs';
import type { CardAction } from './ladder/messages';
import { Reporting } from './reports/reporting';
import { Handoffs } from './reports/handoff';
import { handoffCommands } from './chat/commands/handoff';
import { reportCommands } from './chat/commands/reports';
import { retentionCommand } from './chat/commands/retention';
import { overviewCommand } from './chat/commands/overview';
import { enrollmentCommands } from './chat/commands/enrollment';
import { EnrollmentOps } from './roster/enrollment-ops';

/** Every feature registers its commands, card handlers and jobs here. */
export async function registerFeatures(
  dispatcher: Dispatcher,
  services: Services,
  opts: { cycles?: boolean } = {},
): Promise<{ ladder: Ladder; reporting: Reporting; handoffs: Handoffs }> {
  for (const cmd of rosterCommands(findStaff)) dispatcher.register(cmd);
  dispatcher.rolesOf = async (userid) => (await findStaff(userid))?.roles.map((r) => r.role);

  const ladder = new Ladder(services);
  for (const cmd of ladderCommands(findStaff, ladder)) dispatcher.register(cmd);
  const { scheduler } = services;
  const jobs = new LadderJobs(ladder);
  scheduler.define('ladder.morning', ({ key }) => jobs.onMorning(key));
  scheduler.define('ladder.remind', ({ key }) => jobs.onRemind(key));
  scheduler.define('ladder.deadline', ({ key }) => jobs.onDeadline(key));
  scheduler.define('ladder.leaveEnd', ({ key }) => jobs.onLeaveEnd(key));
  scheduler.define('ladder.checkIn', ({ key }) => jobs.onCheckIn(key));

  const reporting = new Reporting(services);
  for (const cmd of reportCommands(findStaff, reporting)) dispatcher.register(cmd);
  dispatcher.register(retentionCommand(findStaff));
  dispatcher.register(overviewCommand(findStaff));
  for (const cmd of enrollmentCommands(findStaff, new EnrollmentOps(services)))
    dispatcher.register(cmd);
  scheduler.define('report.monthly', ({ key }) => reporting.onMonthly(key));
  scheduler.define('report.quarterly', ({ key }) => reporting.onQuarterly(key));
  scheduler.define('report.campaign', ({ key }) => reporting.onCampaign(key));
  scheduler.define('report.visitRound', ({ key }) => reporting.onVisitRound(key));
  scheduler.define('report.deadline', ({ key }) => reporting.onDeadline(key));
  const handoffs = new Handoffs(services);
  for (const cmd of handoffCommands(findStaff, handoffs)) dispatcher.register(cmd);
  scheduler.define('handoff.remind', ({ key }) => handoffs.onRemind(key));
  scheduler.define('handoff.check', ({ key }) => handoffs.onCheck(key));
  if (opts.cycles !== false) {
    await reporting.ensureCycles();
    await handoffs.ensure();
  }

  // Template-card buttons: lad:<action>:<caseId>[:<arg>].
  dispatcher.onCard('lad', async (ctx, key, _taskId, responseCode) => {
    const [, action, caseId, arg] = key.split(':');
    const staff = await findStaff(ctx.userId);
    if (!staff) return '您还不在保学的花名册中，请联系本校分管领导。';
    return ladder.onCardClick(staff, action as CardAction, caseId, arg, responseCode, ctx.now);
  });
  dispatcher.repeatableCards('lad', (key) => key.startsWith('lad:details:'));

  // A bare number answers the last numbered choice ("1" → 缺勤 G3602…).
  dispatcher.rewrite = (ctx, text) => answerChoice(ctx.userId, text, ctx.now);

  // WeCom members who are not in the roster get a polite note (help still works for them).
  dispatcher.gate = async (ctx, verb) => {
    if (verb === '帮助') return undefined;
    if (await findStaff(ctx.userId)) return undefined;
    await audit({
      actor: ctx.userId,
      action: verb || 'message',
      channel: 'wecom',
      outcome: 'refused',
      detail: 'not in roster',
      at: ctx.now,
    });
    return '您好！您还不在保学的花名册中，暂时无法使用。请联系本校分管控辍保学的领导，把您加入花名册后再试。';
  };
  return { ladder, reporting, handoffs };
}
