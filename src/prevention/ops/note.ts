import { randomBytes } from 'node:crypto';
import { requireText, type ChatContext } from '../../chat/command';
import { authorize } from '../../domain/policy';
import { StudentNote } from '../../models/prevention';
import { auditChat } from '../../models/audit';
import type { StudentDoc } from '../../roster/directory';
import { P } from '../replies';
import { placeOf } from '../../domain/roster';

/** 备注 <学生> <内容>: a note in the student's file (档案). */
export async function addNote(
  ctx: ChatContext,
  input: { student: StudentDoc; text: string },
): Promise<string> {
  const { student, text } = input;
  authorize(ctx.actor, 'report', student);
  requireText(text, P.needNote(student.name));
  await StudentNote.create({
    noteId: `N${ctx.now.getTime().toString(36)}${randomBytes(3).toString('hex')}`,
    studentNo: student.studentNo,
    ...placeOf(student),
    author: ctx.actor.userid,
    at: ctx.now,
    text: text.slice(0, 1000),
  });
  await auditChat(ctx, 'note', student.studentNo);
  return P.noted(student.name);
}
