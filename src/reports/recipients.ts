import { Staff } from '../models/roster';
import type { StaffLike } from '../domain/roster';
import type { Outbox } from '../outbox/outbox';

/** Who school-level notices go to, and the plain text push they use. */
export async function schoolLeaders(codes: string[]): Promise<StaffLike[]> {
  return Staff.find({
    roles: { $elemMatch: { role: { $in: ['principal', 'deputy'] }, schoolCode: { $in: codes } } },
  }).lean<StaffLike[]>();
}

export async function bureauStaff(): Promise<string[]> {
  return (await Staff.find({ 'roles.role': 'bureau' }).lean<StaffLike[]>()).map((p) => p.userid);
}

/** One text per recipient, keyed so a repeated run sends nothing twice. */
export async function pushText(
  outbox: Outbox,
  userids: string[],
  content: string,
  key: string,
): Promise<void> {
  for (const u of new Set(userids))
    await outbox.enqueue(u, { kind: 'text', content }, `${key}:${u}`);
}
