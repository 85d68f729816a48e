import { DateTime } from 'luxon';
import { ZONE } from '../lib/time';

/**
 * Prevention's pure rules (issue #13): what a free-text visit record already says and what is
 * asked next (二(一)2(3)), the contact rhythm of an at-risk student (二(一)2(2)), the pace of
 * the visit quota, the school year of a date and the campaign month's checklist (二(二)1(1)).
 */
export type VisitHow = '入户' | '电话' | '视频';
export interface VisitParts {
  how?: VisitHow;
  whom?: string;
  companions?: string;
  found?: string;
  agreed?: string;
  /** yyyy-MM-dd, or 'none' when the answer was that no date is set. */
  nextContact?: string;
}

const HOW: [RegExp, VisitHow][] = [
  [/视频/, '视频'],
  [/电话|通话|打电话/, '电话'],
  [/入户|上门|到家|家中|走访/, '入户'],
];
const WHOM =
  /(父亲|母亲|爸爸|妈妈|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|叔叔|阿姨|监护人|家长|学生本人|本人)/g;

/** The parts a free text already gives ("上门见到母亲，了解到…，约定…"). */
export function partsOf(text: string): VisitParts {
  const p: VisitParts = {};
  const how = HOW.find(([re]) => re.test(text));
  if (how) p.how = how[1];
  const whom = [...new Set(text.match(WHOM) ?? [])];
  if (whom.length) p.whom = whom.join('、');
  const comp = /(?:与|和|跟)([^，,。；;\s]{2,12}?)(?:一同|一起|共同)/.exec(text);
  if (comp) p.companions = comp[1];
  const agreed = /(约定|商定|同意|答应|承诺)([^。；;]*)/.exec(text);
  if (agreed) p.agreed = (agreed[1] + agreed[2]).trim();
  const found = agreed ? text.slice(0, agreed.index) : text;
  if (found.replace(/[，,。；;\s]/g, '').length >= 4) p.found = found.replace(/[，,；;\s]+$/, '');
  return p;
}

export const QUESTIONS: { part: keyof VisitParts; ask: string }[] = [
  { part: 'how', ask: '这次是怎么家访的？请回复：入户、电话 或 视频。' },
  { part: 'whom', ask: '见到（或联系上）了谁？例如：母亲、爷爷、学生本人。' },
  { part: 'found', ask: '了解到什么情况？' },
  { part: 'agreed', ask: '和家长约定了什么？没有约定请回复「无」。' },
  { part: 'nextContact', ask: '下次什么时候再联系？例如：12月20日、下周三；未定请回复「无」。' },
];

/** The first part still missing, or undefined when the record is complete. */
export function nextQuestion(p: VisitParts): (typeof QUESTIONS)[number] | undefined {
  return QUESTIONS.find((q) => !p[q.part]);
}

/** An answer to one question, as the part it fills (undefined: not understood, ask again). */
export function answerPart(
  part: keyof VisitParts,
  text: string,
  dateOf: (t: string) => string | undefined,
): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (part === 'how') return HOW.find(([re]) => re.test(t))?.[1];
  if (part === 'nextContact') {
    if (/^(无|没有|未定|不定|待定)$/.test(t)) return 'none';
    return dateOf(t);
  }
  if (part === 'agreed' && /^(无|没有)$/.test(t)) return '无';
  return t;
}

/** When contact is next due: `every` days after the last contact (or the registration), 09:00. */
export function contactDue(since: Date, everyDays: number): Date {
  return DateTime.fromJSDate(since, { zone: ZONE })
    .plus({ days: everyDays })
    .set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
    .toJSDate();
}

/** The rhythm lapses `after` days past the due time without a visit record. */
export function lapseOf(due: Date, afterDays: number): Date {
  return DateTime.fromJSDate(due, { zone: ZONE }).plus({ days: afterDays }).toJSDate();
}

/** Quota pace: how many visits are expected by now, and how many a week are still needed. */
export function pace(
  quota: number,
  done: number,
  range: { from: Date; to: Date },
  now: Date,
): { expected: number; perWeek: number; behind: boolean } {
  const total = range.to.getTime() - range.from.getTime();
  const gone = Math.min(Math.max(now.getTime() - range.from.getTime(), 0), total);
  const expected = Math.floor((quota * gone) / total);
  const weeksLeft = Math.max((total - gone) / (7 * 86_400_000), 1);
  const perWeek = Math.max(0, Math.ceil((quota - done) / weeksLeft));
  return { expected, perWeek, behind: done < expected };
}

/** The school year a day belongs to, named by its first calendar year (Sept–Aug). */
export function schoolYearOf(day: string): number {
  const d = DateTime.fromISO(day, { zone: ZONE });
  return d.month >= 9 ? d.year : d.year - 1;
}

/** The campaign month's checklist (二(二)1(1)), ticked per class. */
export const CAMPAIGN_ITEMS = [
  { id: 'letter', label: '致家长一封信已发放', words: ['家长信', '一封信', '致家长'] },
  { id: 'meeting', label: '家长会已召开', words: ['家长会'] },
  { id: 'signed', label: '监护人责任书已签订', words: ['责任书', '签订'] },
  { id: 'visited', label: '易辍学生已家访', words: ['家访', '易辍'] },
] as const;
export type CampaignItem = (typeof CAMPAIGN_ITEMS)[number]['id'];

export function campaignItemOf(text: string): CampaignItem | undefined {
  return CAMPAIGN_ITEMS.find((i) => i.words.some((w) => text.includes(w)))?.id;
}

/** The first school day of a month (1 March 2026, a Sunday → Monday 2 March), 09:00. */
export function firstSchoolDay(month: string, isSchoolDay: (day: string) => boolean): Date {
  const first = DateTime.fromFormat(month, 'yyyy-MM', { zone: ZONE });
  let fallback: DateTime | undefined;
  for (let d = first; d.month === first.month; d = d.plus({ days: 1 })) {
    if (isSchoolDay(d.toISODate()!)) return d.set({ hour: 9 }).toJSDate();
    if (!fallback && d.weekday <= 5) fallback = d;
  }
  // No semester configured in that month: the first weekday.
  return (fallback ?? first).set({ hour: 9 }).toJSDate();
}
