import nock from 'nock';
import { startSandbox } from '../support/sandbox';
import { SandboxMessage } from '../../src/wecom/sandbox/fake-api';
import { Staff, Student, type StaffRow, type StudentRow } from '../../src/models/roster';

/**
 * Issue #9, finding 9: the sandbox clock is faithful. Pushes a message just queued are
 * delivered at the time they were queued, not at the target of the next fast-forward; jobs run
 * through the production path (the same claimed runner and sweeper source Agenda uses).
 */
let sb: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  nock.enableNetConnect();
  sb = await startSandbox();
  // A school day, 10:00 in Asia/Shanghai.
  sb.clock.set(new Date('2026-11-30T10:00:00+08:00'));
}, 30_000);
afterAll(async () => {
  await sb.bot.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);

it('finding 9: a fast-forward right after a message does not restamp the pushes it queued', async () => {
  const staff = await Staff.find({}).lean<StaffRow[]>();
  const holder = (role: string, where: (r: StaffRow['roles'][number]) => boolean) =>
    staff.find((p) => p.roles.some((r) => r.role === role && where(r)))!;
  const subject = holder('subjectTeacher', (r) => r.classId === 'ZS01-3-1' && !r.students);
  const deputy = holder('deputy', (r) => r.schoolCode === 'ZS01');
  const student = (await Student.findOne({
    classId: 'ZS01-3-1',
    atRisk: false,
  }).lean<StudentRow>())!;
  const said = await post('/sandbox/say', {
    as: subject.userid,
    text: `缺勤 ${student.name} 上午`,
  });
  expect(String(said.reply)).toMatch(/已记录/);
  await post('/sandbox/api/clock', { to: '2026-11-30T16:00:00+08:00' });
  const told = await SandboxMessage.findOne({ to: deputy.userid, content: /上午未到校/ }).lean();
  expect(told).toBeTruthy();
  const at = told!.at.getTime();
  expect(at).toBeLessThan(new Date('2026-11-30T10:05:00+08:00').getTime());
  expect(at).toBeGreaterThanOrEqual(new Date('2026-11-30T10:00:00+08:00').getTime());
}, 30_000);
