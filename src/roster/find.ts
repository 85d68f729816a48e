import { Student } from '../models/roster';
import { RULES, canActOnStudent, type Action } from '../domain/policy';
import { looksLikeStudentNo, pinyinOf } from '../domain/resolve';
import type { Role, RoleName, StaffLike } from '../domain/roster';
import type { StudentDoc } from './directory';

/**
 * Name resolution by indexed keys (issue #11 item 1): every query here is bounded by a limit
 * and runs on an index (name, studentNo, namePinyin + schoolCode, ^surname), inside the
 * sender's scope for the action, so its cost does not grow with the district.
 */
type Filter = Record<string, unknown>;

/** Most exact namesakes one choice lists (a longer list is no help in a chat). */
export const MANY_MAX = 20;
/** Most near matches suggested (as before: nine, one digit to answer). */
export const NEAR_MAX = 9;
/**
 * Longest token near matching considers: its regex has one alternative per character, each as
 * long as the name (quadratic), so a pasted paragraph must not reach it (issue #10, injection).
 */
export const NEAR_NAME_MAX = 16;

const ROLE_SCOPE: Record<RoleName, (r: Role) => Filter> = {
  subjectTeacher: (r) => ({
    classId: r.classId,
    ...(r.students?.length ? { studentNo: { $in: r.students } } : {}),
  }),
  headTeacher: (r) => ({ classId: r.classId }),
  gradeLeader: (r) => ({ schoolCode: r.schoolCode, grade: r.grade }),
  deputy: (r) => ({ schoolCode: r.schoolCode }),
  principal: (r) => ({ schoolCode: r.schoolCode }),
  bureau: () => ({}),
};

/**
 * The students `staff` may `action` on, as a filter: the RULES lines that allow the action,
 * each role's scope written as a query (`canActOnStudent` as a filter). `undefined`: nobody.
 */
export function actionFilter(staff: StaffLike, action: Action): Filter | undefined {
  const or: Filter[] = [];
  for (const r of staff.roles) {
    const allows = RULES.some((rule) => rule.role === r.role && rule.actions.includes(action));
    if (!allows) continue;
    const f = ROLE_SCOPE[r.role](r);
    if (!Object.keys(f).length) return {};
    or.push(f);
  }
  return or.length ? { $or: or } : undefined;
}

const within = (scope: Filter, cond: Filter): Filter =>
  Object.keys(scope).length ? { $and: [scope, cond] } : cond;

async function scoped(
  staff: StaffLike,
  action: Action,
  scope: Filter,
  cond: Filter,
  limit: number,
): Promise<StudentDoc[]> {
  const rows = await Student.find(within(scope, cond)).limit(limit).lean();
  // The filter mirrors the rules; the rules still have the last word.
  return rows.filter((s) => canActOnStudent(staff, action, s));
}

/**
 * The names a typed argument may start with: the first two or three space-separated parts
 * joined (「黎 嘉懿」), and every prefix of the first word (「张三上午发烧」).
 */
export function nameCandidates(rest: string): string[] {
  const out = new Set<string>();
  const parts = rest.split(' ');
  for (let n = Math.min(3, parts.length); n >= 2; n--) out.add(parts.slice(0, n).join(''));
  const t = rest.trim();
  const cut = t.search(/[\s，,、；;：:]/);
  const first = [...(cut < 0 ? t : t.slice(0, cut))].slice(0, 24);
  for (let i = 1; i <= first.length; i++) out.add(first.slice(0, i).join(''));
  out.delete('');
  return [...out];
}

/**
 * The students in scope whose name is one of the candidates or whose 学籍号 is the first word:
 * what joining and splitting the argument needs, and the exact matches themselves.
 */
export async function candidatesInScope(
  staff: StaffLike,
  action: Action,
  scope: Filter,
  rest: string,
): Promise<StudentDoc[]> {
  const names = nameCandidates(rest);
  const first = rest.trim().split(/[\s，,、；;：:]/)[0];
  const or: Filter[] = [{ name: { $in: names } }];
  if (looksLikeStudentNo(first)) or.push({ studentNo: { $in: [first, first.toUpperCase()] } });
  return scoped(staff, action, scope, { $or: or }, MANY_MAX * 2);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Near matches in scope: the same toneless pinyin (an input-method homophone, by the stored
 * key) or one character off after the same surname (by a `^姓` regex, so the name index helps).
 */
export async function nearInScope(
  staff: StaffLike,
  action: Action,
  scope: Filter,
  token: string,
): Promise<StudentDoc[]> {
  if ([...token].length > NEAR_NAME_MAX) return [];
  const [surname, ...given] = [...token];
  // 「黎嘉懿」→ ^黎(?:.懿|嘉.)$ : the surname kept, exactly one of the other characters off.
  const alts = given.map((_, i) => given.map((c, j) => (j === i ? '.' : escapeRegex(c))).join(''));
  const or: Filter[] = [{ namePinyin: pinyinOf(token) }];
  if (alts.length) or.push({ name: { $regex: `^${escapeRegex(surname)}(?:${alts.join('|')})$` } });
  return scoped(staff, action, scope, { $or: or }, NEAR_MAX);
}
