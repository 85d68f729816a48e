import { Answer, type ChatContext } from '../../chat/command';
import { CAMPAIGN_ITEMS, campaignItemOf } from '../../domain/prevention';
import { CampaignTick } from '../../models/prevention';
import { SchoolClass } from '../../models/roster';
import { campaignMonthOf, campaignProgress } from '../queries/campaign';
import { P } from '../replies';

/** 活动月 已完成 <事项> (head teacher): ticks an item of the checklist for the class. */
export async function tickCampaign(ctx: ChatContext, text: string): Promise<string> {
  const month = campaignMonthOf(ctx);
  if (!month) throw new Answer(P.notCampaign);
  const classes = ctx.actor.roles.filter((r) => r.role === 'headTeacher').map((r) => r.classId!);
  if (!classes.length) throw new Answer(P.tickWho);
  const item = campaignItemOf(text);
  if (!item) throw new Answer(P.tickWhich);
  const rows = await SchoolClass.find({ classId: { $in: classes } }).lean();
  for (const c of rows) {
    await CampaignTick.updateOne(
      { month, classId: c.classId, item },
      {
        $set: { schoolCode: c.schoolCode, grade: c.grade, by: ctx.actor.userid, at: ctx.now },
      },
      { upsert: true },
    );
  }
  const label = CAMPAIGN_ITEMS.find((i) => i.id === item)!.label;
  return `已记录：${label}。\n${await campaignProgress(ctx)}`;
}
