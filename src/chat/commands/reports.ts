import type { Command } from '../command';
import type { Reporting } from '../../reports/reporting';

/** Chat shells for the reporting cycle and the home-visit quotas. */
export function reportCommands(reporting: Reporting): Command[] {
  return [
    {
      name: '提交月报',
      aliases: ['上报月报'],
      summary: '（校长/分管领导）上报上月流失生情况（每月8日前）',
      usage: '提交月报 —— 把本校上月流失生详情上报区教体局（本月无流失生也要上报）',
      async run(ctx) {
        return reporting.submit(ctx.actor, 'monthly', ctx.now);
      },
    },
    {
      name: '提交季报',
      aliases: ['上报季报'],
      summary: '（校长/分管领导）上报本季度学籍变动统计表（3/6/9/12月15日前）',
      usage: '提交季报 —— 把本校本季度学籍变动情况上报区教体局教管办',
      async run(ctx) {
        return reporting.submit(ctx.actor, 'quarterly', ctx.now);
      },
    },
    {
      name: '报告情况',
      aliases: ['月报情况', '上报情况'],
      summary: '（学校领导/教体局）查看月报、季报的上报情况',
      usage: '报告情况',
      async run(ctx) {
        return reporting.status(ctx.actor);
      },
    },
    {
      name: '家访统计',
      aliases: ['家访情况', '家访次数'],
      summary: '本学期家访次数与要求（班主任≥20、科任≥15）',
      usage: '家访统计 —— 看自己的家访次数；领导还能看到未达标的老师',
      async run(ctx) {
        return reporting.visitStats(ctx.actor, ctx.now);
      },
    },
  ];
}
