import type { ChatContext } from '../../chat/command';
import { Answer } from '../../chat/command';
import { periodOf } from '../../domain/reports';
import { audit } from '../../models/audit';
import { listScope } from '../../cases/queries/list-scope';
import { isPeriod, periodWorkbook } from '../export';

export interface ExportInput {
  kind: 'monthly' | 'quarterly';
  /** 2026-11 or 2026-Q4; absent: last month / this quarter. */
  period?: string;
  /** A school's name (the bureau); absent: the district, or the principal's school. */
  school: string;
}

/**
 * 导出 月报 2026-11 [学校]: the period's workbook as a WeCom file message — the bureau's for the
 * district or one school, a principal's or deputy's for their school. The file goes through the
 * outbox (uploaded as temporary media when sent); the reply says it is on its way.
 */
export async function sendExport(ctx: ChatContext, a: ExportInput): Promise<string> {
  const scope = await listScope(ctx, 'exportReport', a.school);
  const settings = ctx.services.settings.reports;
  const period = a.period ?? periodOf(a.kind, ctx.now, settings).period;
  if (!isPeriod(period)) throw new Answer(PERIOD_HELP);
  if (period.includes('Q') !== (a.kind === 'quarterly'))
    throw new Answer(
      a.kind === 'quarterly' ? '季报的期间写作 2026-Q4。' : '月报的期间写作 2026-11。',
    );
  const schoolCode = scope.district ? undefined : scope.school?.code;
  const wb = await periodWorkbook(period, { schoolCode });
  const filename = `${wb.title.replace(/\s+/g, '-')}.xlsx`;
  const key = `export:${period}:${schoolCode ?? 'all'}:${ctx.now.getTime()}`;
  await ctx.services.notify.file([ctx.actor.userid], filename, wb.buffer, key);
  await audit({
    actor: ctx.actor.userid,
    action: 'report.export',
    target: period,
    channel: 'wecom',
    outcome: 'ok',
    at: ctx.now,
    detail: wb.title,
  });
  return (
    `已生成「${wb.title}」工作簿（${wb.schools} 所学校，明细 ${wb.rows} 条），` +
    '稍后以文件消息发给您，可在手机或电脑上打开。'
  );
}

export const PERIOD_HELP =
  '请写明期间，例如「导出 月报 2026-11」或「导出 季报 2026-Q4」；教体局可在后面加学校名。';
