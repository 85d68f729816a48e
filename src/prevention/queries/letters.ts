import type { ChatContext } from '../../chat/command';
import { schoolYearOf } from '../../domain/prevention';
import { Letter } from '../../models/prevention';
import { School, SchoolClass, Staff, Student } from '../../models/roster';
import { scopeFilter } from '../../roster/directory';
import { isoDay } from '../../lib/time';
import { enrolledShare } from '../../roster/queries/enrolled-share';
import { P } from '../replies';
import { joinLines } from '../../lib/lines';

const frac = (a: number, b: number) => `${a}/${b}`;

/** Guardians' letters signed per `key` among enrolled students in scope (transfers drop off). */
async function guardians(scope: Record<string, unknown>, year: number, key: string) {
  const signed = (await Letter.find({ ...scope, schoolYear: year, kind: 'guardian' }).lean()).map(
    (l) => l.party,
  );
  return enrolledShare(scope, key, signed);
}

/** Leaders' and teachers' letters with the principal, and the principal's with the bureau. */
async function staffLine(schoolCode: string, year: number): Promise<string> {
  const staff = await Staff.find({ 'roles.schoolCode': schoolCode }).lean();
  const principals = staff.filter((p) => p.roles.some((r) => r.role === 'principal'));
  const others = staff.filter((p) => !principals.includes(p));
  const letters = await Letter.find({
    schoolYear: year,
    party: { $in: staff.map((p) => p.userid) },
  }).lean();
  const has = (u: string, kind: string) => letters.some((l) => l.party === u && l.kind === kind);
  const staffDone = others.filter((p) => has(p.userid, 'staff')).length;
  const head = principals.length && principals.every((p) => has(p.userid, 'principal'));
  return `教职工与校长签订 ${frac(staffDone, others.length)}；校长与教体局${head ? '已签' : '未签'}`;
}

/** 责任书: this school year's progress in my scope (class → who is missing; school; district). */
export async function letterProgress(ctx: ChatContext): Promise<string> {
  const scope = scopeFilter(ctx.actor);
  if (!scope) return P.lettersWho;
  const year = schoolYearOf(isoDay(ctx.now));
  const head = `【责任书】${year}—${year + 1}学年`;
  const roles = ctx.actor.roles.map((r) => r.role);
  if (roles.includes('bureau')) {
    const rows = await guardians(scope, year, 'schoolCode');
    const schools = await School.find({}).lean();
    const lines = await Promise.all(
      rows.map(async (r) => {
        const name = schools.find((s) => s.code === r.key)?.name ?? r.key;
        return `${name}：监护人 ${frac(r.done, r.of)}；${await staffLine(r.key, year)}`;
      }),
    );
    return [head, ...lines].join('\n');
  }
  const leader = ctx.actor.roles.find((r) =>
    ['principal', 'deputy', 'gradeLeader'].includes(r.role),
  );
  if (leader) {
    const rows = await guardians(scope, year, 'classId');
    const cls = await SchoolClass.find({ classId: { $in: rows.map((r) => r.key) } }).lean();
    const name = (id: string) => cls.find((c) => c.classId === id)?.name ?? id;
    const total = rows.reduce((a, r) => [a[0] + r.done, a[1] + r.of], [0, 0]);
    return joinLines(
      head,
      `监护人责任书 ${frac(total[0], total[1])}`,
      ...rows.map((r) => `${name(r.key)}：${frac(r.done, r.of)}`),
      leader.role === 'gradeLeader' ? '' : await staffLine(leader.schoolCode!, year),
    );
  }
  return classLetters(ctx, year, head);
}

async function classLetters(ctx: ChatContext, year: number, head: string) {
  const classes = ctx.actor.roles.filter((r) => r.role === 'headTeacher').map((r) => r.classId!);
  if (!classes.length) return P.lettersWho;
  const students = await Student.find({ classId: { $in: classes }, status: 'enrolled' })
    .sort({ studentNo: 1 })
    .lean();
  const signed = new Set(
    (
      await Letter.find({ schoolYear: year, kind: 'guardian', classId: { $in: classes } }).lean()
    ).map((l) => l.party),
  );
  const missing = students.filter((s) => !signed.has(s.studentNo));
  return joinLines(
    head,
    `监护人责任书 ${frac(students.length - missing.length, students.length)}`,
    missing.length ? `未签：${missing.map((s) => s.name).join('、')}` : '已全部签订。',
    missing.length ? `签订后发送「责任书 已签 ${missing[0].name} …」。` : '',
  );
}
