import type { Command } from '../chat/command';
import { composeBroadcast } from './ops/compose';
import { decideBroadcast } from './ops/decide';
import { urgeReports } from './ops/urge';
import { editScheduled, listScheduled } from './ops/scheduled';
import { broadcastStatus } from './queries/status';
import { B } from './replies';

/** Chat shells of broadcasts (issue #12): parse, call one operation. */
export const broadcastCommands: Command[] = [
  {
    name: '通知',
    aliases: ['群发', '广播', '发通知', '提醒'],
    summary: '（教体局/校长/分管领导）给一群人发通知，先预览，确认后发出',
    usage: [
      B.usage,
      '对象：全体校长、全体分管领导、全体班主任、全体教师、学校名（可写几所，用、隔开）、',
      '年级（七年级班主任、初一全体教师）。校长和分管领导只能通知本校。',
      '例：通知 <学校名>、<学校名> 全体班主任 明天下午三点开会',
      '发出前会先给您预览（人数、对象、内容），点「发送」或回复「发送」才会发出。',
    ].join('\n'),
    run: (ctx, args) => composeBroadcast(ctx, args),
  },
  {
    name: '发送',
    aliases: ['确认发送'],
    summary: '发出刚才预览的通知',
    usage: '发送 —— 发出您最近预览的那条通知（预览后才能发送）',
    run: (ctx) => decideBroadcast(ctx, 'send'),
  },
  {
    name: '取消',
    aliases: ['取消发送', '不发了'],
    summary: '放弃刚才预览的通知',
    usage: '取消 —— 不发您最近预览的那条通知',
    run: (ctx) => decideBroadcast(ctx, 'cancel'),
  },
  {
    name: '通知情况',
    aliases: ['通知记录', '发送记录'],
    summary: '最近的通知和送达情况；加关键词查找（教体局可查全部）',
    usage: '通知情况 —— 最近的通知：送达／失败／无效账号\n通知记录 月报 —— 查找含「月报」的通知',
    run: (ctx, args) => broadcastStatus(ctx, args),
  },
  {
    name: '催报',
    aliases: ['催交', '催促上报'],
    summary: '（教体局）提醒未上报或逾期学校的校长，先预览',
    usage:
      '催报 —— 给月报/季报未上报或逾期学校的校长发提醒（先预览，确认后发出）\n催报 <内容> —— 用您写的内容',
    run: (ctx, args) => urgeReports(ctx, args),
  },
  {
    name: '定时通知',
    aliases: ['定时提醒'],
    summary: '（教体局）查看、修改、暂停定时通知（月报、季报催报等）',
    usage: '定时通知 —— 列出定时通知\n定时通知 修改 1 新内容\n定时通知 暂停 1 ／ 定时通知 恢复 1',
    run: (ctx, args) => (args.trim() ? editScheduled(ctx, args) : listScheduled(ctx)),
  },
];
