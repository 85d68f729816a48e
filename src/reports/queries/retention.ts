import type { ChatContext } from '../../chat/command';
import type { StudentLike } from '../../domain/roster';
import { GRADE_LABEL } from '../../domain/roster';
import { groupRetention, percent, retentionOf } from '../../domain/retention';
import { School, SchoolClass } from '../../models/roster';
import { studentsInScope } from '../../roster/directory';

/** 巩固率 (二(三)1(4), 1(5)): retention for the sender's scope, and who has no dropouts. */
export async function retention(ctx: ChatContext): Promise<string> {
  const students = (await studentsInScope(ctx.actor, 'view')) as StudentLike[];
  if (!students.length) return '您名下还没有学生。';
  const total = retentionOf(students);
  const classNames = new Map(
    (await SchoolClass.find({}).lean<{ classId: string; name: string }[]>()).map((c) => [
      c.classId,
      c.name,
    ]),
  );
  const schoolNames = new Map(
    (await School.find({}).lean<{ code: string; name: string }[]>()).map((s) => [s.code, s.name]),
  );
  const lines = [`巩固率 ${percent(total)}（在籍 ${total.retained} 人，流失 ${total.dropped} 人）`];
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
}
