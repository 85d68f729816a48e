import { DUTY, actionCommand, escalationLevels, type CardAction } from '../domain/cases/duties';
import type { Duty, Move } from '../domain/cases/derive';
import { formatDay, formatDeadline } from '../lib/time';
import type { CardSpec } from '../notify/cards';

/**
 * What people are told when a case changes: one Notice per change, keyed so it is sent once.
 * `line` is the one-line form used when many changes reach one person at once (a digest).
 */
export interface Notice {
  to: string[];
  key: string;
  text?: string;
  card?: CardSpec;
  line: string;
  /** The case the notice is about (a move and a duty's card about one case are folded). */
  caseId?: string;
  /**
   * A gate move's headline: when the same person gets a card about the same case in the same
   * delivery, the move is folded into that card (its sub-title) instead of a second message.
   */
  fold?: string;
}

export interface About {
  caseId: string;
  name: string;
  className: string;
  /** The school's name: readers outside the school (the bureau) are told which school. */
  schoolName?: string;
  awayDays: number;
  who: (ids: string[]) => string;
}

const DESC: Record<Duty['kind'], string> = {
  checkAttendance: '请确认今天是否到校',
  headVisit: '无故缺勤一天，须当天或次日家访（二(一)2(3)）',
  leaderVisit: '连续第二天未到校，学校领导须亲自家访',
  persuade: '请与包保责任人研究劝返措施，劝返后发「劝返 姓名 记录」',
  confirmAway: '劝返期间每周确认一次是否仍未到校',
  decide: '劝返已满期限仍未返校：请确认辍学，或记录劝返计划和下次日期',
  govReport: '请了解辍学原因并向当地政府报告，发「报告政府 姓名 内容」',
  placement: '返校复学：请安排帮扶教师和学生干部，发「帮扶 姓名 教师 学生干部」',
  checkIn: '请关注该生本周在校情况，与帮扶教师、学生干部保持沟通',
  transferConfirm: '转学办理中：请确认转学完成，发「转学确认 姓名」',
};

function away(a: About): string {
  return a.awayDays ? `已 ${a.awayDays} 个上学日未到校` : '—';
}

function cardFor(
  a: About,
  d: Duty,
  title: string,
  desc: string,
  actions: CardAction[],
  outside = false,
): CardSpec {
  const lines: [string, string][] = [
    ['学生', `${a.name} ${a.className}`],
    // The bureau reads cards of every school: which one, by name.
    ...(outside && a.schoolName ? [['学校', a.schoolName] as [string, string]] : []),
    ['缺勤', away(a)],
    [d.day ? '日期' : '截止', d.day ? formatDay(d.day) : formatDeadline(d.dueAt)],
  ];
  const buttons = actions.map((action) => ({ action, dutyId: d.dutyId }));
  const typed = actions.map((x) => `「${actionCommand(x, a.name)}」`).join(' ');
  const fallback = [`【${title}】`, desc, ...lines.map(([k, v]) => `${k}：${v}`), `回复：${typed}`];
  return { title, desc, lines, buttons, fallback: fallback.join('\n') };
}

function titleOf(a: About, d: Duty): string {
  if (d.kind === 'checkAttendance') return `${a.name} 今天到校了吗？`;
  if (d.kind === 'confirmAway') return `${a.name} 仍未到校吗？`;
  return `${DUTY[d.kind].label}：${a.name}`;
}

export function dutyOpened(a: About, d: Duty, exclude: string): Notice | undefined {
  const to = d.holders.filter((u) => u !== exclude);
  if (!to.length) return undefined;
  const card = cardFor(a, d, titleOf(a, d), DESC[d.kind], DUTY[d.kind].actions);
  const line = `${a.name}：${DUTY[d.kind].label}`;
  return { to, key: `${d.dutyId}:open`, card, line, caseId: a.caseId };
}

export function dutyReminder(a: About, d: Duty): Notice {
  const title = `【提醒】${DUTY[d.kind].label}：${a.name}`;
  const card = cardFor(
    a,
    d,
    title,
    `截止 ${formatDeadline(d.dueAt)}，请按时完成`,
    DUTY[d.kind].actions,
  );
  return {
    to: d.holders,
    key: `${d.dutyId}:remind`,
    card,
    line: `${a.name}：${DUTY[d.kind].label}即将截止`,
  };
}

export function dutyEscalated(a: About, d: Duty, targets: string[]): Notice[] {
  const label = DUTY[d.kind].label;
  const holders = a.who(d.holders);
  const title = `【逾期】${label}：${a.name}`;
  const desc = `${holders} 未在 ${formatDeadline(d.dueAt)} 前完成，请督促跟进或代为完成`;
  const line = `${a.name}：${label}已逾期（${holders}）`;
  const out: Notice[] = [];
  if (targets.length) {
    const outside = escalationLevels(d.kind, d.streak).includes('bureau');
    const card = cardFor(a, d, title, desc, DUTY[d.kind].escalatedActions, outside);
    out.push({ to: targets, key: `${d.dutyId}:escalate`, card, line });
  }
  const told = targets.length ? `已报告 ${a.who(targets)}` : '请尽快完成';
  const text = `您负责的「${label}：${a.name}」已逾期（截止 ${formatDeadline(d.dueAt)}），${told}。`;
  out.push({ to: d.holders, key: `${d.dutyId}:overdue`, text, line: `${a.name}：${label}已逾期` });
  return out;
}

export function dutyDoneInstead(a: About, d: Duty): Notice {
  const label = DUTY[d.kind].label;
  const text = `${a.who([d.metBy ?? ''])} 已代您完成「${label}：${a.name}」，此事项已关闭。`;
  return {
    to: d.holders,
    key: `${d.dutyId}:instead`,
    text,
    line: `${a.name}：${label}已由他人代为完成`,
  };
}

export function dutyDoneLate(a: About, d: Duty, escalatedTo: string[]): Notice {
  const label = DUTY[d.kind].label;
  const text = `「${label}：${a.name}」已由 ${a.who([d.metBy ?? ''])} 补做完成。`;
  return { to: escalatedTo, key: `${d.dutyId}:late`, text, line: `${a.name}：${label}已补做` };
}

export function dutyWithdrawn(a: About, label: string, dutyId: string, to: string[]): Notice {
  const text = `「${label}：${a.name}」已撤销（原报告已撤回或更正），无需再办。`;
  return { to, key: `${dutyId}:withdrawn`, text, line: `${a.name}：${label}已撤销` };
}

/** Who changed the record, what and why: told to whoever had reported what was withdrawn. */
export function corrected(
  a: About,
  c: { by: string; what: string; reason?: string; key: string },
  to: string[],
): Notice {
  const why = c.reason ? `，原因：${c.reason}` : '';
  const text =
    `${c.by} 已更正 ${a.className} ${a.name} 的记录：撤销您报告的「${c.what}」${why}。` +
    '相关待办已按更正后的记录重新计算，发「待办」查看。';
  return { to, key: c.key, text, line: `${a.name}：${c.by} 更正了「${c.what}」` };
}

/** What a gate move tells the people on the case (moves that ops announce themselves excluded). */
export function moved(
  a: About,
  m: Move,
  i: number,
  to: string[],
  exclude: string,
  /** A line added to the move's text (duties the move passed on). */
  tail = '',
): Notice | undefined {
  const who = m.inferred ? '' : `（${a.who([m.by])}）`;
  const texts: Partial<Record<Move['gate'], string>> = {
    persuasion:
      `【进入劝返】${a.className} ${a.name} ${away(a)}：${m.why}。` +
      `请分管领导与包保责任人共同研究劝返措施；每次劝返后发「劝返 ${a.name} 记录」。`,
    confirmation: `【待校长决定】${a.className} ${a.name} ${away(a)}：${m.why}。`,
    return: `【返校】${a.className} ${a.name} 已返校复学${who}。请做好帮扶，不要歧视。`,
    closed: `【已结案】${a.className} ${a.name}：${m.why}${who}，相关待办已关闭。`,
    cancelled: `【撤销】${a.className} ${a.name} 的报告已撤销，相关待办已取消。`,
  };
  const text = texts[m.gate] && texts[m.gate] + tail;
  const recipients = to.filter((u) => u !== exclude);
  if (!text || !recipients.length) return undefined;
  const fold = `${text.split('。')[0]}。`;
  const line = `${a.name}：${m.why}`;
  return { to: recipients, key: `${a.caseId}:move:${i}`, text, line, caseId: a.caseId, fold };
}
