import type { ChatContext } from '../../chat/command';
import { CAMPAIGN_ITEMS } from '../../domain/prevention';
import { CampaignTick } from '../../models/prevention';
import { School, SchoolClass } from '../../models/roster';
import { local } from '../../lib/time';
import { scopeFilter } from '../../roster/directory';
import { P } from '../replies';

/** The campaign month `now` is in (yyyy-MM), if it is one (二(二)1(1)). */
export function campaignMonthOf(ctx: Pick<ChatContext, 'now' | 'services'>): string | undefined {
  const d = local(ctx.now);
  return ctx.services.settings.reports.campaignMonths.includes(d.month)
    ? d.toFormat('yyyy-MM')
    : undefined;
}

/** Items ticked and items due per school: classes × checklist items. */
export async function schoolCompletion(month: string, scope: Record<string, unknown> = {}) {
  type C = { _id: string; n: number };
  const [classes, ticks, schools] = await Promise.all([
    SchoolClass.aggregate<C>([
      { $match: scope },
      { $group: { _id: '$schoolCode', n: { $sum: 1 } } },
    ]),
    CampaignTick.aggregate<C>([
      { $match: { ...scope, month } },
      { $group: { _id: '$schoolCode', n: { $sum: 1 } } },
    ]),
    School.find({}).lean(),
  ]);
  const done = new Map(ticks.map((t) => [t._id, t.n]));
  return classes
    .map((c) => ({
      schoolCode: c._id,
      name: schools.find((s) => s.code === c._id)?.name ?? c._id,
      done: done.get(c._id) ?? 0,
      of: c.n * CAMPAIGN_ITEMS.length,
    }))
    .sort((a, b) => a.schoolCode.localeCompare(b.schoolCode));
}

/** Classes of a school with items still open (behind, a week before the month ends). */
export async function classesBehind(month: string, schoolCode: string) {
  const [classes, ticks] = await Promise.all([
    SchoolClass.find({ schoolCode }).sort({ classId: 1 }).lean(),
    CampaignTick.find({ month, schoolCode }).lean(),
  ]);
  return classes
    .map((c) => ({
      c,
      open: CAMPAIGN_ITEMS.filter(
        (i) => !ticks.some((t) => t.classId === c.classId && t.item === i.id),
      ),
    }))
    .filter((x) => x.open.length);
}

const pct = (a: number, b: number) => (b ? Math.round((100 * a) / b) : 0);

/** 活动月: my class's checklist; the school's progress for leaders; every school for the bureau. */
export async function campaignProgress(ctx: ChatContext): Promise<string> {
  const month = campaignMonthOf(ctx);
  const scope = scopeFilter(ctx.actor);
  if (!month || !scope) return P.notCampaign;
  const head = `【控辍保学活动月】${local(ctx.now).month}月`;
  const school = ctx.actor.roles.find((r) => ['principal', 'deputy'].includes(r.role))?.schoolCode;
  if (ctx.actor.roles.some((r) => r.role === 'bureau') || school) {
    const filter = school ? { schoolCode: school } : {};
    const rows = await schoolCompletion(month, filter);
    const behind = school ? await classesBehind(month, school) : [];
    return [
      head,
      ...rows.map((r) => `${r.name}：完成 ${r.done}/${r.of}（${pct(r.done, r.of)}%）`),
      ...behind.map((b) => `${b.c.name} 未完成：${b.open.map((i) => i.label).join('、')}`),
    ].join('\n');
  }
  const classes = ctx.actor.roles.filter((r) => r.role === 'headTeacher').map((r) => r.classId!);
  if (!classes.length) return P.notCampaign;
  const ticks = await CampaignTick.find({ month, classId: { $in: classes } }).lean();
  return [
    head,
    ...CAMPAIGN_ITEMS.map((i) => `${ticks.some((t) => t.item === i.id) ? '☑' : '☐'} ${i.label}`),
    P.tickHint,
  ].join('\n');
}
