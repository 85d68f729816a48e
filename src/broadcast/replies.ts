import { formatDeadline } from '../lib/time';

/** The first words of a notice, for naming it in a reply. */
export function firstWords(content: string, n = 12): string {
  const cs = [...content.replace(/\s+/g, ' ')];
  return cs.length <= n ? cs.join('') : `${cs.slice(0, n).join('')}…`;
}

/** Reply and push texts of broadcasts: short Chinese, addressed to the sender as 您. */
export const B = {
  usage: '通知 <对象> <内容>\n例：通知 全体校长 请于本周五前提交月报',
  noContent: (who: string) => `请在对象后面写上通知内容，例如：通知 ${who} 明天下午三点开会`,
  conflict: '只能选一个年级，或请写明对象（全体校长、全体班主任……）。',
  nobody: (who: string) =>
    `${who}目前在花名册里没有人，通知没有生成。请换一个对象，或发送「帮助 通知」看可用的对象。`,
  tooLong: '通知内容太长，请控制在 600 字以内，或分几条发送。',
  previewTitle: '通知预览（尚未发出）',
  previewHint: '确认无误请点「发送」；不发请点「取消」。',
  previewText: (who: string, n: number, content: string) =>
    [
      `【通知预览，尚未发出】`,
      `对象：${who}，共 ${n} 人`,
      `内容：${content}`,
      '确认发送请回复「发送」，不发请回复「取消」。',
    ].join('\n'),
  previewReply: (cards: boolean) =>
    cards
      ? '已生成通知预览（见卡片），点「发送」后才会发出；也可回复「发送」或「取消」。'
      : '已生成通知预览（见上条消息），回复「发送」后才会发出，回复「取消」放弃。',
  noDraft: '您没有待确认的通知。要发通知请发送：通知 <对象> <内容>',
  notYours: '这条通知不是您起草的，或已不存在。',
  expired: '这条通知的预览已超过有效时间，没有发出。如仍需发送，请重新发送「通知 …」。',
  alreadySent: (at: Date) =>
    `这条通知已于 ${formatDeadline(at)} 开始发送，不会重复发送。发送「通知情况」查看送达情况。`,
  alreadyCancelled: '这条通知已取消，没有发出。如需发送，请重新发送「通知 …」。',
  cannotCancel: (at: Date) =>
    `这条通知已于 ${formatDeadline(at)} 发出，无法取消。发送「通知情况」查看送达情况。`,
  sending: (n: number, who: string, content: string) =>
    `已开始发送「${firstWords(content)}」给 ${who}，共 ${n} 人。` +
    '全部送达后会告诉您结果；也可发送「通知情况」查看。',
  cancelled: (who: string, content: string) =>
    `已取消发给 ${who} 的「${firstWords(content)}」，这条通知没有发出。`,
  otherDraft: (who: string, content: string) =>
    `您还有一条待确认的通知（发给 ${who}：「${firstWords(content)}」），` +
    '回复「发送」发出，或「取消」放弃。',
  done: (who: string, content: string, ok: number, failed: number, invalid: number) =>
    [
      `【通知送达情况】发给 ${who} 的通知「${content}」已发送完毕：`,
      `送达 ${ok} 人，失败 ${failed} 人，企业微信找不到的账号 ${invalid} 个。`,
      invalid || failed ? '请核对花名册里这些老师的企业微信账号。' : '',
    ].join(''),
  signature: (from: string) => `\n——${from}`,
  nothingToUrge: '目前没有逾期或未上报的学校，无需催报。',
  urgeText: (label: string) =>
    `您校${label}尚未上报，请尽快核对并发送「提交月报」或「提交季报」上报区教体局。`,
};

export const BUTTON = { send: '发送', cancel: '取消' } as const;
