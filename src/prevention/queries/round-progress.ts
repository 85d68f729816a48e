import type { ChatContext } from '../../chat/command';
import { HomeVisit } from '../../models/case';
import { School, SchoolClass, Student } from '../../models/roster';
import { scopeFilter, staffNames } from '../../roster/directory';
import { GRADE_LABEL } from '../../domain/roster';
import { visitTally, visitsIn } from './visit-count';
import { semesterRange } from '../../reports/visits';
import { isoDay } from '../../lib/time';
import { currentRound, myStudentsFilter, notVisited } from './visits';
import { enrolledShare } from '../../roster/queries/enrolled-share';
import { P } from '../replies';

type Count = { _id: string | number; n: number };
const pct = (a: number, b: number) => (b ? `${a}/${b}（${Math.round((100 * a) / b)}%）` : '0/0');

/** Enrolled and visited (by anyone, in the window) per `key`, counted in the database. */
async function byKey(scope: Record<string, unknown>, w: { from: Date; to: Date }, key: string) {
  const visitedNos = (
    await HomeVisit.aggregate<Count>([
      { $match: { ...scope, ...visitsIn(w) } },
      { $group: { _id: '$studentNo', n: { $sum: 1 } } },
    ])
  ).map((r) => String(r._id));
  return enrolledShare(scope, key, visitedNos);
}

async function perTeacher(scope: Record<string, unknown>, w: { from: Date; to: Date }) {
  const rows = await HomeVisit.aggregate<Count>([
    { $match: { ...scope, ...visitsIn(w) } },
    { $group: { _id: '$visitor', n: { $sum: 1 } } },
  ]);
  const names = await staffNames(rows.map((r) => String(r._id)));
  return rows.map((r) => `${names.get(String(r._id)) ?? r._id} ${r.n} 人次`).join('、');
}

/**
 * 家访进度: the running round's progress per class (teacher), grade (leader), school, district.
 * Before a round starts it is announced, and the semester's visits so far are shown instead.
 */
export async function roundProgress(ctx: ChatContext): Promise<string> {
  const round = currentRound(ctx.services, ctx.now);
  const scope = scopeFilter(ctx.actor);
  if (!round || !scope) return P.noRound;
  const w = round.upcoming ? semesterSoFar(ctx) : round;
  const head = [
    round.upcoming
      ? P.roundNext(round.label, round.from, round.to)
      : P.roundHead(round.label, round.from, round.to),
  ];
  if (!w) return head[0];
  if (round.upcoming) head.push(P.soFar);
  const roles = ctx.actor.roles.map((r) => r.role);
  if (roles.includes('bureau')) {
    const rows = await byKey(scope, w, 'schoolCode');
    const schools = await School.find({}).lean();
    const name = new Map(schools.map((s) => [s.code, s.name]));
    return [...head, ...rows.map((r) => `${name.get(r.key) ?? r.key}：${pct(r.done, r.of)}`)].join(
      '\n',
    );
  }
  const leader = roles.some((r) => ['gradeLeader', 'deputy', 'principal'].includes(r));
  if (!leader) return teacherProgress(ctx, w, head);
  const classes = await byKey(scope, w, 'classId');
  const cls = await SchoolClass.find({ classId: { $in: classes.map((c) => c.key) } }).lean();
  const cName = new Map(cls.map((c) => [c.classId, c.name]));
  const grades = await byKey(scope, w, 'grade');
  const total = grades.reduce((a, g) => ({ done: a.done + g.done, of: a.of + g.of }), {
    done: 0,
    of: 0,
  });
  return [
    ...head,
    `合计：已访 ${pct(total.done, total.of)}`,
    ...(grades.length > 1
      ? grades.map((g) => `${GRADE_LABEL[+g.key] ?? g.key}：${pct(g.done, g.of)}`)
      : []),
    ...classes.map((c) => `${cName.get(c.key) ?? c.key}：${pct(c.done, c.of)}`),
    `按教师：${(await perTeacher(scope, w)) || '暂无'}`,
  ].join('\n');
}

/** The current semester up to now (undefined between semesters). */
function semesterSoFar(ctx: ChatContext): { from: Date; to: Date } | undefined {
  const { cal, settings } = ctx.services;
  if (!cal.semesterOf(isoDay(ctx.now))) return undefined;
  const range = semesterRange(cal, settings.calendar.semesters, ctx.now);
  return range && { from: range.from, to: range.to };
}

async function teacherProgress(ctx: ChatContext, w: { from: Date; to: Date }, head: string[]) {
  const filter = myStudentsFilter(ctx.actor);
  if (!filter) return P.noRound;
  const { quota, done } = await visitTally(ctx.services, ctx.actor, ctx.now);
  const mine = await Student.find(filter).sort({ studentNo: 1 }).lean();
  const missing = await notVisited(mine, w);
  return [
    ...head,
    `您的学生已访 ${pct(mine.length - missing.length, mine.length)}`,
    missing.length
      ? `尚未家访：${missing
          .slice(0, 40)
          .map((s) => s.name)
          .join('、')}`
      : '全部已家访。',
    quota ? P.quotaSoFar(done, quota) : '',
  ]
    .filter(Boolean)
    .join('\n');
}
