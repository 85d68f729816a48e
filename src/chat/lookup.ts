import { PendingChoice } from '../models/pending-choice';
import { looksLikeStudentNo, resolveStudent, takeStudentToken } from '../domain/resolve';
import { schoolNames, type StudentDoc } from '../roster/directory';
import { actionFilter, candidatesInScope, MANY_MAX, nearInScope } from '../roster/find';
import type { Action } from '../domain/policy';
import { audit } from '../models/audit';
import { SchoolClass, Student } from '../models/roster';
import { Answer, type ChatContext, type Command } from './command';
import { choiceNumber, joinSpacedName } from './grammar';

const CHOICE_TTL_MS = 10 * 60_000;

/**
 * Finds the student a command is about among those the sender may act on. Ambiguous or near
 * matches become a numbered choice answered with the number; a student outside the sender's
 * scope is never revealed (the refusal is logged, not shown). Answers by throwing `Answer`.
 * Reads by indexed keys only, bounded (issue #11 item 1): never the whole scope.
 */
export async function findStudentFor(
  ctx: ChatContext,
  verb: string,
  rest: string,
  action: Action = 'view',
): Promise<{ student: StudentDoc; tail: string }> {
  const scope = actionFilter(ctx.actor, action);
  const hits = scope && rest.trim() ? await candidatesInScope(ctx.actor, action, scope, rest) : [];
  const names = [...new Set(hits.map((s) => s.name))];
  const { token, tail } = takeStudentToken(joinSpacedName(rest, names), names);
  if (!token) {
    throw new Answer(`请写上学生姓名或学籍号，例如：${verb} 张三。发送「帮助 ${verb}」查看用法。`);
  }
  let r = resolveStudent(token, hits);
  if (r.kind === 'none' && scope && !looksLikeStudentNo(token)) {
    r = resolveStudent(token, await nearInScope(ctx.actor, action, scope, token));
  }
  if (r.kind === 'one') return { student: r.student, tail };
  if (r.kind === 'many') r = { kind: 'many', options: r.options.slice(0, MANY_MAX) };
  if (r.kind === 'none') return notFound(ctx, verb, token);
  await PendingChoice.updateOne(
    { userid: ctx.actor.userid },
    {
      $set: {
        verb,
        tail,
        options: r.options.map((s) => s.studentNo),
        expiresAt: new Date(ctx.now.getTime() + CHOICE_TTL_MS),
      },
    },
    { upsert: true },
  );
  const head =
    r.kind === 'many'
      ? `您负责的学生中有 ${r.options.length >= MANY_MAX ? '多' : r.options.length} 位` +
        `「${token}」，请回复序号选择${r.options.length >= MANY_MAX ? '（或改用学籍号）' : ''}：`
      : `没有找到「${token}」，您是不是要找：（回复序号选择）`;
  throw new Answer(`${head}\n${await choiceLines(r.options)}`);
}

async function notFound(ctx: ChatContext, verb: string, token: string): Promise<never> {
  await auditHidden(ctx, verb, token);
  throw new Answer(`在您负责的学生中没有找到「${token}」。请核对姓名，或改用学籍号。`);
}

/**
 * A lookup that found nothing the sender may see: audited as refused when the student exists
 * elsewhere (the answer stays the not-found one). For lookups outside `findStudentFor` too.
 */
export async function auditHidden(ctx: ChatContext, verb: string, token: string): Promise<void> {
  const elsewhere = await Student.countDocuments({
    // A 学籍号 is found in either case (candidatesInScope), so its refusal is audited in either.
    $or: [{ name: token }, { studentNo: { $in: [token, token.toUpperCase()] } }],
  });
  if (!elsewhere) return;
  await audit({
    actor: ctx.actor.userid,
    action: `${verb}:lookup`,
    target: token,
    channel: 'wecom',
    outcome: 'refused',
    detail: 'not in scope',
    at: ctx.now,
  });
}

async function choiceLines(options: StudentDoc[]): Promise<string> {
  const ids = [...new Set(options.map((s) => s.classId))];
  const classes = await SchoolClass.find({ classId: { $in: ids } }).lean();
  const name = new Map(classes.map((c) => [c.classId, c.name]));
  // Choices across schools (the bureau's) name the school too: 「三年级1班」 is in every one.
  const codes = [...new Set(options.map((s) => s.schoolCode))];
  const schools = codes.length > 1 ? await schoolNames(codes) : new Map<string, string>();
  const where = (s: StudentDoc) =>
    `${schools.has(s.schoolCode) ? `${schools.get(s.schoolCode)} ` : ''}` +
    `${name.get(s.classId) ?? s.classId}`;
  return options
    .map((s, i) => `${i + 1}. ${s.name}　${where(s)}　学籍号尾号 ${s.studentNo.slice(-4)}`)
    .join('\n');
}

/** "2" after a numbered choice → the original command with the chosen 学籍号. */
export async function answerChoice(
  userid: string,
  text: string,
  now: Date,
): Promise<string | undefined> {
  const n = choiceNumber(text);
  if (n === undefined) return undefined;
  const pending = await PendingChoice.findOne({ userid }).lean();
  if (!pending || pending.expiresAt < now) return undefined;
  if (n < 1 || n > pending.options.length) {
    // A wrong number keeps the choice and asks again (issue #14).
    const found = await Student.find({ studentNo: { $in: pending.options } }).lean();
    const byNo = new Map(found.map((s) => [s.studentNo, s]));
    const options = pending.options.map((no) => byNo.get(no)).filter((s) => s !== undefined);
    const range = options.length === 1 ? '1' : `1 到 ${options.length} 之间的序号`;
    throw new Answer(`没有第 ${n} 项，请回复 ${range}：\n${await choiceLines(options)}`);
  }
  await PendingChoice.deleteOne({ userid });
  return `${pending.verb} ${pending.options[n - 1]} ${pending.tail}`.trim();
}

/** A command shell about one student: find them (in the view scope), then run. */
export function aboutStudent(verb: string, run: AboutStudent) {
  return async (ctx: ChatContext, args: string): Promise<string> => {
    const { student, tail } = await findStudentFor(ctx, verb, args, 'view');
    return run(ctx, student, tail);
  };
}

/** What runs once the student is found: the student and the text after them. */
export type AboutStudent = (ctx: ChatContext, student: StudentDoc, tail: string) => Promise<string>;

/**
 * A command about one student (`<name> <学生> …`), declared without repeating its verb: the shell
 * finds the student in the view scope (`aboutStudent`), then runs `about`.
 */
export function studentCommand(spec: Omit<Command, 'run'> & { about: AboutStudent }): Command {
  const { about, ...command } = spec;
  return { ...command, run: aboutStudent(spec.name, about) };
}
