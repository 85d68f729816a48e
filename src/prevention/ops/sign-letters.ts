import { Answer, type ChatContext } from '../../chat/command';
import { schoolYearOf } from '../../domain/prevention';
import { Letter, type LetterRow } from '../../models/prevention';
import { Staff, Student } from '../../models/roster';
import { audit, auditChat } from '../../models/audit';
import { isoDay } from '../../lib/time';
import { P } from '../replies';
import { auditHidden } from '../../chat/lookup';

type Party = { party: string; name: string; schoolCode: string; classId?: string; grade?: number };

/** Who the sender records letters for: guardians of the class, the school's staff, principals. */
async function resolve(ctx: ChatContext, names: string[]) {
  const roles = ctx.actor.roles;
  const classes = roles.filter((r) => r.role === 'headTeacher').map((r) => r.classId!);
  if (classes.length) {
    const found = await Student.find({
      classId: { $in: classes },
      status: 'enrolled',
      $or: [{ name: { $in: names } }, { studentNo: { $in: names } }],
    }).lean();
    const parties = found.map((s) => ({ ...s, party: s.studentNo }));
    return { kind: 'guardian' as const, parties, found: found.map((s) => [s.name, s.studentNo]) };
  }
  const principalOf = roles.find((r) => r.role === 'principal')?.schoolCode;
  const bureau = roles.some((r) => r.role === 'bureau');
  if (!principalOf && !bureau) {
    const who = { actor: ctx.actor.userid, channel: 'wecom' as const, at: ctx.now };
    await audit({ ...who, action: 'letters', outcome: 'refused', detail: 'role' });
    throw new Answer(P.lettersWho);
  }
  const staff = await Staff.find(
    principalOf
      ? { name: { $in: names }, 'roles.schoolCode': principalOf }
      : { name: { $in: names }, 'roles.role': 'principal' },
  ).lean();
  const parties = staff.map((p) => ({
    party: p.userid,
    name: p.name,
    schoolCode: principalOf ?? p.roles.find((r) => r.role === 'principal')?.schoolCode ?? '',
  }));
  const kind = principalOf ? ('staff' as const) : ('principal' as const);
  return { kind, parties, found: staff.map((p) => [p.name, p.userid]) };
}

/**
 * 责任书 已签 <姓名…> (二(二)1(1)): in bulk. A head teacher records guardians' letters with the
 * school; the principal the leaders' and teachers' letters; the bureau the principals'.
 */
export async function signLetters(ctx: ChatContext, names: string[]): Promise<string> {
  if (!names.length) throw new Answer(P.lettersUsage);
  const { kind, parties, found } = await resolve(ctx, names);
  const count = new Map<string, number>();
  for (const [n] of found) count.set(n, (count.get(n) ?? 0) + 1);
  const twice = names.filter((n) => (count.get(n) ?? 0) > 1);
  if (twice.length) throw new Answer(P.lettersAmbiguous(twice));
  const known = new Set(found.flat());
  const unknown = names.filter((n) => !known.has(n));
  // A student outside the sender's reach is answered like an unknown name, and audited.
  for (const n of unknown) await auditHidden(ctx, '责任书', n);
  const year = schoolYearOf(isoDay(ctx.now));
  await Letter.bulkWrite(
    parties.map((p: Party) => {
      const row: LetterRow = {
        schoolYear: year,
        kind,
        party: p.party,
        schoolCode: p.schoolCode,
        ...(p.classId ? { classId: p.classId, grade: p.grade } : {}),
        recordedBy: ctx.actor.userid,
        at: ctx.now,
      };
      const key = { schoolYear: year, kind, party: p.party };
      return { updateOne: { filter: key, update: { $set: row }, upsert: true } };
    }),
  );
  await auditChat(ctx, `letters:${kind}`, String(parties.length));
  return P.lettersSigned(
    parties.map((p) => p.name),
    unknown,
    kind,
  );
}
