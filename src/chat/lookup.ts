import { PendingChoice } from '../models/pending-choice';
import { resolveStudent, takeStudentToken } from '../domain/resolve';
import { className, studentsInScope, type StudentDoc } from '../roster/directory';
import type { StaffLike } from '../domain/roster';
import type { Action } from '../domain/policy';
import { audit } from '../models/audit';
import { Student } from '../models/roster';
import type { ChatContext } from './command';

const CHOICE_TTL_MS = 10 * 60_000;

export type Lookup = { student: StudentDoc; tail: string } | { reply: string };

/**
 * Finds the student a command is about among those the sender may act on. Ambiguous or
 * near matches become a numbered choice the teacher answers with the number; a student
 * outside the sender's scope is never revealed (the refusal is logged, not shown).
 */
export async function lookupStudent(
  staff: StaffLike,
  verb: string,
  rest: string,
  now: Date,
  action: Action = 'report',
): Promise<Lookup> {
  const scope = await studentsInScope(staff, action);
  const { token, tail } = takeStudentToken(
    rest,
    scope.map((s) => s.name),
  );
  if (!token)
    return { reply: `请写上学生姓名或学籍号，例如：${verb} 张三。发送「帮助 ${verb}」查看用法。` };
  const r = resolveStudent(token, scope);
  if (r.kind === 'one') return { student: r.student, tail };
  if (r.kind === 'none') {
    const elsewhere = await Student.countDocuments({
      $or: [{ name: token }, { studentNo: token }],
    });
    if (elsewhere)
      await audit({
        actor: staff.userid,
        action: `${verb}:lookup`,
        target: token,
        channel: 'wecom',
        outcome: 'refused',
        detail: 'not in scope',
        at: now,
      });
    return { reply: `在您负责的学生中没有找到「${token}」。请核对姓名，或改用学籍号。` };
  }
  const options = r.options;
  await PendingChoice.updateOne(
    { userid: staff.userid },
    {
      $set: {
        verb,
        tail,
        options: options.map((s) => s.studentNo),
        expiresAt: new Date(now.getTime() + CHOICE_TTL_MS),
      },
    },
    { upsert: true },
  );
  const lines = await Promise.all(
    options.map(
      async (s, i) =>
        `${i + 1}. ${s.name}　${await className(s.classId)}　学籍号尾号 ${s.studentNo.slice(-4)}`,
    ),
  );
  const head =
    r.kind === 'many'
      ? `您负责的学生中有 ${options.length} 位「${token}」，请回复序号选择：`
      : `没有找到「${token}」，您是不是要找：（回复序号选择）`;
  return { reply: `${head}\n${lines.join('\n')}` };
}

/** "2" after a numbered choice → the original command with the chosen 学籍号. */
export async function answerChoice(
  userid: string,
  text: string,
  now: Date,
): Promise<string | undefined> {
  const m = /^\s*(\d{1,2})\s*$/.exec(text.normalize('NFKC'));
  if (!m) return undefined;
  const pending = await PendingChoice.findOne({ userid }).lean<{
    verb: string;
    tail: string;
    options: string[];
    expiresAt: Date;
  }>();
  if (!pending || pending.expiresAt < now) return undefined;
  const n = Number(m[1]);
  if (n < 1 || n > pending.options.length) return undefined;
  await PendingChoice.deleteOne({ userid });
  return `${pending.verb} ${pending.options[n - 1]} ${pending.tail}`.trim();
}

/**
 * A command shell about one student: find the sender and the student (in the sender's view
 * scope; the operation then checks what the sender may do), or answer with the lookup's reply.
 */
export function aboutStudentOf(me: (userid: string) => Promise<StaffLike | null>) {
  return (
      verb: string,
      run: (
        ctx: ChatContext,
        staff: StaffLike,
        student: StudentDoc,
        tail: string,
      ) => Promise<string>,
    ) =>
    async (ctx: ChatContext, args: string): Promise<string> => {
      const staff = (await me(ctx.userId))!;
      const found = await lookupStudent(staff, verb, args, ctx.now, 'view');
      return 'reply' in found ? found.reply : run(ctx, staff, found.student, found.tail);
    };
}
