import { DateTime } from 'luxon';
import type { Command } from '../command';
import type { StaffLike, StudentLike } from '../../domain/roster';
import { GATE, type CaseState } from '../../domain/case-machine';
import { Case, CaseEvent, Obligation } from '../../models/case';
import { School, SchoolClass } from '../../models/roster';
import { studentsInScope } from '../../roster/directory';
import { ZONE } from '../../lib/time';

/**
 * `概况`: one message on what the sender is responsible for — open cases by gate, overdue
 * duties, this month's dropouts, at-risk students — per school for the bureau, per class below.
 */
export function overviewCommand(me: (userid: string) => Promise<StaffLike | null>): Command {
  return {
    name: '概况',
    aliases: ['总览', '统计'],
    summary: '负责范围内的缺勤案件、逾期事项、本月流失和易辍对象一览',
    usage: '概况 —— 班主任看本班，年级领导看本年级，校领导看全校，教体局看各校',
    async run(ctx) {
      const staff = (await me(ctx.userId))!;
      const students = (await studentsInScope(staff, 'view')) as StudentLike[];
      if (!students.length) return '您名下还没有学生。';
      const nos = students.map((s) => s.studentNo);
      const bySchool = new Set(students.map((s) => s.schoolCode)).size > 1;
      const groupOf = new Map(
        students.map((s) => [s.studentNo, bySchool ? s.schoolCode : s.classId]),
      );
      const names = bySchool
        ? new Map(
            (await School.find({}).lean<{ code: string; name: string }[]>()).map((s) => [
              s.code,
              s.name,
            ]),
          )
        : new Map(
            (await SchoolClass.find({}).lean<{ classId: string; name: string }[]>()).map((c) => [
              c.classId,
              c.name,
            ]),
          );
      const open = await Case.find({ studentNo: { $in: nos }, open: true }).lean<
        { studentNo: string; state: CaseState }[]
      >();
      const overdue = await Obligation.find({
        studentNo: { $in: nos },
        $or: [{ status: 'missed' }, { status: 'open', dueAt: { $lt: ctx.now } }],
      }).lean<{ studentNo: string }[]>();
      const monthStart = DateTime.fromJSDate(ctx.now, { zone: ZONE }).startOf('month').toJSDate();
      const dropouts = await CaseEvent.countDocuments({
        studentNo: { $in: nos },
        type: 'dropoutConfirmed',
        at: { $gte: monthStart },
      });
      const byState = new Map<CaseState, number>();
      for (const c of open) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
      const lines = [
        `在籍 ${students.filter((s) => s.status === 'enrolled' || s.status === 'suspended').length} 人，易辍对象 ${students.filter((s) => s.atRisk).length} 人，本月确认辍学 ${dropouts} 人。`,
        open.length
          ? `未结案件 ${open.length} 件：${[...byState].map(([st, n]) => `${GATE[st]} ${n}`).join('，')}。`
          : '没有未结的缺勤案件。',
        overdue.length ? `逾期事项 ${overdue.length} 项。` : '没有逾期事项。',
      ];
      const perGroup = new Map<string, { open: number; overdue: number }>();
      for (const c of open) {
        const g = groupOf.get(c.studentNo)!;
        perGroup.set(g, {
          open: (perGroup.get(g)?.open ?? 0) + 1,
          overdue: perGroup.get(g)?.overdue ?? 0,
        });
      }
      for (const o of overdue) {
        const g = groupOf.get(o.studentNo)!;
        perGroup.set(g, {
          open: perGroup.get(g)?.open ?? 0,
          overdue: (perGroup.get(g)?.overdue ?? 0) + 1,
        });
      }
      if (perGroup.size > 1 || (perGroup.size === 1 && new Set(groupOf.values()).size > 1)) {
        for (const [g, v] of [...perGroup].sort(([a], [b]) => a.localeCompare(b)))
          lines.push(
            `· ${names.get(g) ?? g}：未结 ${v.open}${v.overdue ? `，逾期 ${v.overdue}` : ''}`,
          );
      }
      lines.push(
        overdue.length
          ? '发送「待办」看您自己的事项，「进展 姓名」看某个案件。'
          : '发送「进展 姓名」看某个案件。',
      );
      return lines.join('\n');
    },
  };
}
