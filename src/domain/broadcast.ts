import { DateTime } from 'luxon';
import type { RoleName, StaffLike } from './roster';
import { GRADE_LABEL } from './roster';
import { canActOnSchool } from './policy';
import { ZONE } from '../lib/time';

/**
 * Broadcasts (issue #12): who a notice goes to, as data. Pure: the audience grammar, who may
 * address what, the audience in words, the staff filter it counts and reads by, the batches of
 * one message/send call, and the day a scheduled reminder goes out.
 */
export type AudienceRole = 'principal' | 'deputy' | 'gradeLeader' | 'headTeacher' | 'staff';

export interface Audience {
  /** School codes, or the whole district. */
  schools: string[] | 'all';
  roles: AudienceRole[];
  grade?: number;
}

export interface SchoolName {
  code: string;
  name: string;
}

/** WeCom's message/send takes at most 1,000 userids in `touser`. */
export const MAX_TOUSER = 1000;

const ROLE_WORDS: [string, AudienceRole[]][] = [
  ['分管副校长', ['deputy']],
  ['分管校长', ['deputy']],
  ['分管领导', ['deputy']],
  ['副校长', ['deputy']],
  ['校领导', ['principal', 'deputy']],
  ['学校领导', ['principal', 'deputy']],
  ['校长', ['principal']],
  ['年级组长', ['gradeLeader']],
  ['班主任', ['headTeacher']],
  ['教职工', ['staff']],
  ['教师', ['staff']],
  ['老师', ['staff']],
];
/** Words that mean "the whole district" (with no school named). */
const ALL_WORDS = ['所有学校', '各学校', '全区', '全县', '各校', '全体', '所有', '全部'];
const GRADE_WORDS: [string, number][] = [
  ...GRADE_LABEL.slice(1).map((w, i) => [w, i + 1] as [string, number]),
  ...['一', '二', '三', '四', '五', '六', '七', '八', '九'].map(
    (c, i) => [`${c}年级`, i + 1] as [string, number],
  ),
  ['初一', 7],
  ['初二', 8],
  ['初三', 9],
];
const ROLE_TEXT: Record<AudienceRole, string> = {
  principal: '校长',
  deputy: '分管领导',
  gradeLeader: '年级组长',
  headTeacher: '班主任',
  staff: '教师',
};
const SEPARATORS = /^[\s、，,和及与的;；]+/;
const CONTENT_START = /^[\s:：]+/;

type Token =
  | { kind: 'school'; code: string }
  | { kind: 'role'; roles: AudienceRole[] }
  | { kind: 'grade'; grade: number }
  | { kind: 'all' };

function tokenAt(text: string, schools: SchoolName[]): { token: Token; len: number } | undefined {
  const options: { token: Token; word: string }[] = [
    ...schools.map((s) => ({ token: { kind: 'school', code: s.code } as Token, word: s.name })),
    ...ROLE_WORDS.map(([word, roles]) => ({ token: { kind: 'role', roles } as Token, word })),
    ...GRADE_WORDS.map(([word, grade]) => ({ token: { kind: 'grade', grade } as Token, word })),
    ...ALL_WORDS.map((word) => ({ token: { kind: 'all' } as Token, word })),
  ];
  const hits = options.filter((o) => text.startsWith(o.word));
  if (!hits.length) return undefined;
  const best = hits.reduce((a, b) => (b.word.length > a.word.length ? b : a));
  // "老师们" / "校长们": the plural marker belongs to the audience word.
  const len = best.word.length + (text.slice(best.word.length).startsWith('们') ? 1 : 0);
  return { token: best.token, len };
}

/**
 * Reads the audience words of a whitespace chunk from its start: the number of characters
 * they cover (the chunk counts only when it is audience words through to its end).
 */
function audienceChunk(chunk: string, schools: SchoolName[]): Token[] | undefined {
  const tokens: Token[] = [];
  let rest = chunk;
  while (rest.length) {
    const t = tokenAt(rest, schools);
    if (!t) return undefined;
    tokens.push(t.token);
    rest = rest.slice(t.len).replace(SEPARATORS, '');
  }
  return tokens;
}

export type NoticeParse =
  | { ok: true; audience: Audience; content: string }
  | { ok: false; why: 'noAudience' | 'noContent' | 'conflict' };

/**
 * `<对象> <内容>`: the audience is the leading chunks made only of audience words — school
 * names, 全体/所有/全区, 校长, 分管领导, 班主任, 教师, 年级组长, a grade — separated by spaces,
 * 、 or 和; the rest (after an optional colon) is the content. A chunk that is not wholly
 * audience words starts the content, so 「通知 全体校长 校长们请…」 keeps its content whole.
 */
export function parseNotice(text: string, schools: SchoolName[]): NoticeParse {
  const chunks = text.trim().split(/(?<=[\s:：])/);
  const tokens: Token[] = [];
  let used = 0;
  for (const raw of chunks) {
    const chunk = raw.replace(/[\s:：]+$/, '');
    if (!chunk) {
      used++;
      continue;
    }
    const got = audienceChunk(chunk, schools);
    if (!got) break;
    tokens.push(...got);
    used++;
  }
  if (!tokens.length) {
    // The audience glued to the content with a colon: 「全体校长：请于…」.
    const m = /^([^:：\s]+)[:：](.*)$/s.exec(text.trim());
    const glued = m ? audienceChunk(m[1], schools) : undefined;
    if (!glued) return { ok: false, why: 'noAudience' };
    return build(glued, m![2]);
  }
  return build(tokens, chunks.slice(used).join(''));
}

function build(tokens: Token[], rawContent: string): NoticeParse {
  const content = rawContent.replace(CONTENT_START, '').trim();
  const schools = [...new Set(tokens.flatMap((t) => (t.kind === 'school' ? [t.code] : [])))];
  const roles = [...new Set(tokens.flatMap((t) => (t.kind === 'role' ? t.roles : [])))];
  const grades = [...new Set(tokens.flatMap((t) => (t.kind === 'grade' ? [t.grade] : [])))];
  const onlyAll = tokens.every((t) => t.kind === 'all');
  if (onlyAll || grades.length > 1) return { ok: false, why: 'conflict' };
  if (!content) return { ok: false, why: 'noContent' };
  return {
    ok: true,
    audience: {
      schools: schools.length ? schools : 'all',
      roles: roles.length ? roles : ['staff'],
      ...(grades.length ? { grade: grades[0] } : {}),
    },
    content,
  };
}

/** The schools a principal or deputy leads (a bureau member leads none). */
export function ownSchools(actor: StaffLike): string[] {
  const codes = actor.roles
    .filter((r) => (r.role === 'principal' || r.role === 'deputy') && r.schoolCode)
    .map((r) => r.schoolCode!);
  return [...new Set(codes)];
}

/**
 * Narrows the audience to what the sender may address: the bureau anything; a principal or
 * deputy only their own school (a district-wide audience becomes their school). Returns the
 * school the sender may not address, if any.
 */
export function scopeAudience(
  actor: StaffLike,
  a: Audience,
): { audience: Audience } | { refused: string } {
  if (canActOnSchool(actor, 'broadcastDistrict', '*')) return { audience: a };
  const own = ownSchools(actor);
  if (a.schools === 'all') {
    const mine = own.filter((c) => canActOnSchool(actor, 'broadcast', c));
    return mine.length ? { audience: { ...a, schools: mine } } : { refused: '*' };
  }
  const foreign = a.schools.find((c) => !canActOnSchool(actor, 'broadcast', c));
  return foreign ? { refused: foreign } : { audience: a };
}

const ROLE_NAMES: Record<AudienceRole, RoleName[]> = {
  principal: ['principal'],
  deputy: ['deputy'],
  gradeLeader: ['gradeLeader'],
  headTeacher: ['headTeacher'],
  staff: ['subjectTeacher', 'headTeacher', 'gradeLeader', 'deputy', 'principal'],
};

/** The staff filter of an audience (counted and read in the database, never in memory). */
export function audienceFilter(a: Audience, except?: string): Record<string, unknown> {
  const roles = [...new Set(a.roles.flatMap((r) => ROLE_NAMES[r]))];
  const match: Record<string, unknown> = { role: { $in: roles } };
  if (a.schools !== 'all') match.schoolCode = { $in: a.schools };
  if (a.grade) match.grade = a.grade;
  return {
    roles: { $elemMatch: match },
    ...(except ? { userid: { $ne: except } } : {}),
  };
}

/** 「城关一中、实验小学的七年级班主任」, 「全区校长」: school names, never codes. */
export function describeAudience(a: Audience, names: Map<string, string>): string {
  const where =
    a.schools === 'all' ? '全区' : a.schools.map((c) => names.get(c) ?? '（未知学校）').join('、');
  const grade = a.grade ? GRADE_LABEL[a.grade] : '';
  const who = a.roles.map((r) => ROLE_TEXT[r]).join('、');
  return `${where}${a.schools === 'all' ? '' : '的'}${grade}${grade ? '' : '全体'}${who}`;
}

/** Two of the roster's schools for an example (placeholders when it has fewer). */
function example(names: string[]): string {
  return [names[0] ?? '<学校名>', names[1] ?? '<学校名>'].join('、');
}

/** The audiences a sender can name, for help when an audience is not understood. */
export function audienceHelp(schools: SchoolName[], district: boolean): string {
  const names = schools.map((s) => s.name);
  const shown = names.slice(0, 12).join('、') + (names.length > 12 ? '等' : '');
  const lines = district
    ? [
        '可以通知的对象：',
        '· 全体校长、全体分管领导、全体班主任、全体教师、全体年级组长',
        `· 一所或几所学校：${shown || '（花名册里还没有学校）'}（可加「班主任」等）`,
        '· 一个年级：七年级班主任、初一全体教师',
        '例如：通知 全体校长 请于本周五前提交月报',
        `　　　通知 ${example(names)} 全体班主任 明天下午三点开会`,
      ]
    : [
        '可以通知本校的：全体教师、班主任、分管领导、年级组长、某个年级（如 七年级班主任）',
        '例如：通知 全体班主任 明天下午三点开会',
      ];
  return lines.join('\n');
}

/** `ids` in calls of at most `size` (WeCom's touser limit). */
export function batches<T>(ids: T[], size = MAX_TOUSER): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/**
 * "Before the Nth": the last working day before the last day of the period (`lastDay`, the
 * report's due day), e.g. the 7th a Sunday → Friday the 5th. Never before `notBefore` (the
 * report opens then): when every day in between is off, the last day itself.
 */
export function reminderDay(
  lastDay: string,
  isWorkday: (day: string) => boolean,
  notBefore: string,
): string {
  let d = DateTime.fromISO(lastDay, { zone: ZONE });
  for (let i = 0; i < 31; i++) {
    d = d.minus({ days: 1 });
    const day = d.toISODate()!;
    if (day < notBefore) break;
    if (isWorkday(day)) return day;
  }
  return lastDay;
}

/** Fills 「{期间}」-style placeholders; unknown ones stay as typed. */
export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([^{}]+)\}/g, (all, k: string) => vars[k] ?? all);
}
