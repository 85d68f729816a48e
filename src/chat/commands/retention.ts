import type { Command } from '../command';
import type { StaffLike, StudentLike } from '../../domain/roster';
import { GRADE_LABEL } from '../../domain/roster';
import { groupRetention, percent, retentionOf } from '../../domain/retention';
import { School, SchoolClass } from '../../models/roster';
import { studentsInScope } from '../../roster/directory';

/** `巩固率`: retention for what the sender is responsible for, and who has no dropouts. */
export function retentionCommand(me: (userid: string) => Promise<StaffLike | null>): Command {
  return {
    name: '巩固率',
    aliases: ['流失情况', '无流失'],
    summary: '看负责范围内的巩固率和「无流失生」班级、年级、学校',
    usage: '巩固率 —— 班主任看本班，年级领导看本年级，校领导看全校，教体局看全区',
    async run(ctx) {
      const staff = (await me(ctx.userId))!;
      const students = (await studentsInScope(staff, 'view')) as StudentLike[];
      if (!students.length) return '您名下还没有学生。';
      const total = retentionOf(students);
      const classNames = new Map(
        (await SchoolClass.find({}).lean<{ classId: string; name: string }[]>()).map((c) => [
          c.classId,
          c.name,
        ]),
      );
      const schoolNames = new Map(
        (await School.find({}).lean<{ code: string; name: string }[]>()).map((s) => [
          s.code,
          s.name,
        ]),
      );
      const lines = [
        `巩固率 ${percent(total)}（在籍 ${total.retained} 人，流失 ${total.dropped} 人）`,
      ];
      const bySchool = groupRetention(students, (s) => s.schoolCode);
      if (bySchool.size > 1) {
        for (const [code, r] of bySchool)
          lines.push(
            `· ${schoolNames.get(code) ?? code}：${percent(r)}${r.dropped ? `，流失 ${r.dropped} 人` : ''}`,
          );
        const clean = [...bySchool]
          .filter(([, r]) => r.dropped === 0)
          .map(([code]) => schoolNames.get(code) ?? code);
        lines.push(clean.length ? `无流失生学校：${clean.join('、')}` : '暂无「无流失生学校」。');
      }
      const byGrade = groupRetention(students, (s) => `${s.schoolCode}-${s.grade}`);
      if (bySchool.size === 1 && byGrade.size > 1) {
        const clean = [...byGrade]
          .filter(([, r]) => r.dropped === 0)
          .map(([k]) => GRADE_LABEL[Number(k.split('-')[1])]);
        lines.push(clean.length ? `无流失生年级：${clean.join('、')}` : '暂无「无流失生年级」。');
      }
      const byClass = groupRetention(students, (s) => s.classId);
      const lost = [...byClass].filter(([, r]) => r.dropped > 0);
      if (byClass.size > 1) {
        lines.push(
          lost.length
            ? `有流失的班级：${lost.map(([id, r]) => `${schoolNames.size > 1 && bySchool.size > 1 ? `${schoolNames.get(id.split('-')[0])} ` : ''}${classNames.get(id) ?? id} ${percent(r)}`).join('、')}`
            : `全部 ${byClass.size} 个班级都是「无流失生班级」。`,
        );
      } else if (!lost.length) lines.push('本班是「无流失生班级」。👍');
      return lines.join('\n');
    },
  };
}
