import { Staff } from '../models/roster';

export const HINT_CLASS = 'ZS01-3-1';

/** A real member of the loaded demo roster for the console hint: ZS01-3-1's head teacher. */
export async function demoUser(): Promise<
  { userid: string; name: string; role: string } | undefined
> {
  const staff = await Staff.find({ 'roles.classId': HINT_CLASS }).lean();
  const head = staff.find((p) =>
    p.roles.some((r) => r.role === 'headTeacher' && r.classId === HINT_CLASS),
  );
  return head && { userid: head.userid, name: head.name, role: `head teacher of ${HINT_CLASS}` };
}

/** What the console prints once the sandbox runs: its URL and a command to try as a real user. */
export async function sandboxBanner(selfUrl: string): Promise<string> {
  const hint = await demoUser();
  const tryIt = hint
    ? `  Try: npm run say -- --as ${hint.userid} 帮助   (${hint.name}, ${hint.role})\n`
    : '';
  return `\n  保学 Baoxue sandbox is running: ${selfUrl}/sandbox\n${tryIt}\n`;
}
