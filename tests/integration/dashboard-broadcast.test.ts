import nock from 'nock';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { startBot, mockWecom, setupNock, advance, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { AuditEntry } from '../../src/models/audit';
import { Broadcast, type BroadcastDoc } from '../../src/models/broadcast';
import { School, Staff } from '../../src/models/roster';
import { OutboxMessage, type OutboxDoc } from '../../src/outbox/model';
import { audienceFilter } from '../../src/domain/broadcast';

/**
 * Issue #12 "Web dashboard: the broadcast form with preview", against the app in sandbox mode
 * (picker sign-in): 预览 shows the count, the audience by school name and the text and sends
 * nothing; 发送 writes the outbox group rows; a second (or concurrent) 发送 sends once — the
 * chat's own draft state machine; 取消 sends nothing; a principal forging another school's code
 * is refused (403) and audited; a POST without the CSRF token (or cross-site) is refused; the
 * record of sent notices is scoped, searchable and downloadable as xlsx.
 */
jest.setTimeout(60_000);

let bot: TestBot;
let d: Awaited<ReturnType<typeof demo>>;
let server: ReturnType<TestBot['app']['callback']>;
let names: Record<string, string>;

beforeAll(async () => {
  setupNock();
  mockWecom();
  bot = await startBot({ sandbox: true, clock: new ManualClock('2026-12-01T09:00:00+08:00') });
  d = await demo(bot);
  server = bot.app.callback();
  const schools = await School.find({}).lean<{ code: string; name: string }[]>();
  names = Object.fromEntries(schools.map((s) => [s.code, s.name]));
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});

const tokenIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1];
const draftIn = (html: string) => /name="id" value="([0-9a-f]{24})"/.exec(html)![1];
const messageIn = (html: string) => /data-testid="message">([^<]*)</.exec(html)?.[1] ?? '';

/** Signs in with the sandbox picker; returns the agent and the notices page's CSRF token. */
async function signIn(userid: string, scope: string) {
  const agent = request.agent(server);
  const login = await agent.get('/dashboard/login').expect(200);
  await agent
    .post('/dashboard/login')
    .type('form')
    .send({ userid, csrf: tokenIn(login.text) })
    .expect(302);
  const page = await agent.get(`/dashboard/${scope}/notices`).expect(200);
  return { agent, csrf: tokenIn(page.text), page: page.text };
}

const groupRows = (id: string) =>
  OutboxMessage.find({ group: id, kind: 'group_text' }).lean<OutboxDoc[]>();

describe('the sandbox picker (issue #12 "Web dashboard": who may sign in)', () => {
  it('lists the bureau, principals and deputies only, each with their school and role label', async () => {
    const html = (await request(server).get('/dashboard/login').expect(200)).text;
    expect(html).toContain(`${d.bureau.name}（区教体局）`);
    expect(html).toContain(`${d.principal.name}（${names[d.principal.roles[0].schoolCode!]}校长）`);
    expect(html).toContain(`${d.deputy.name}（${names[d.deputy.roles[0].schoolCode!]}分管领导）`);
    expect(html).not.toContain(`>${d.head.name}（`);
  });
});

describe('the bureau: form → 预览 → 发送 (issue #12 "the broadcast form with preview")', () => {
  let bureau: Awaited<ReturnType<typeof signIn>>;
  let id: string;
  const content = '本周五下午三点召开控辍保学工作会';

  beforeAll(async () => {
    bureau = await signIn(d.bureau.userid, 'district');
  });

  it('the page has the form (roles, every school, grade, text) and the 通知 nav link', () => {
    expect(bureau.page).toContain('data-testid="notice-form"');
    for (const code of Object.keys(names)) expect(bureau.page).toContain(`value="${code}"`);
    expect(bureau.page).toContain('<option value="principal"');
    expect(bureau.page).toContain('href="/dashboard/district/notices" class="on"');
    // Item 5: the district (a primary and a junior school) offers 一–九年级.
    const grades = /data-testid="grade">(.*?)<\/select>/s.exec(bureau.page)![1];
    expect(grades).toMatch(/一年级[\s\S]*九年级/);
  });

  it('预览 shows the count, the schools by name and the text, and sends nothing', async () => {
    const res = await bureau.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send(`csrf=${bureau.csrf}&school=ZS01&school=ZS02&roles=principal&grade=&content=${content}`)
      .expect(200);
    const expected = await Staff.countDocuments(
      audienceFilter({ schools: ['ZS01', 'ZS02'], roles: ['principal'] }, d.bureau.userid),
    );
    expect(expected).toBeGreaterThan(0);
    expect(res.text).toContain('通知预览（尚未发出）');
    expect(res.text).toContain(`data-testid="count">${expected}<`);
    expect(res.text).toContain(`${names.ZS01}、${names.ZS02}的全体校长`);
    expect(res.text).not.toMatch(/>[^<]*ZS0\d[^<]*</); // names, never codes, in what is shown
    expect(res.text).toContain(`【通知】${content}`);
    id = draftIn(res.text);
    const b = await Broadcast.findById(id).lean<BroadcastDoc>();
    expect(b).toMatchObject({ status: 'draft', origin: 'web', count: expected });
    expect(await OutboxMessage.countDocuments({})).toBe(0); // not even a card to the sender
  });

  it('发送 writes the outbox group rows; a second 发送 is told and sends nothing more', async () => {
    const send = () =>
      bureau.agent
        .post('/dashboard/district/notices/send')
        .type('form')
        .send({ csrf: bureau.csrf, id })
        .expect(200);
    expect(messageIn((await send()).text)).toContain('已开始发送');
    const b = await Broadcast.findById(id).lean<BroadcastDoc>();
    expect(b!.status).toBe('sending');
    const rows = await groupRows(id);
    expect(rows).toHaveLength(1);
    expect(bot.services.outbox.body(rows[0]).userids).toEqual(b!.recipients);
    expect(messageIn((await send()).text)).toContain('不会重复发送');
    expect(await groupRows(id)).toHaveLength(1);
    expect(
      await AuditEntry.countDocuments({ action: 'broadcast:send', target: id, channel: 'web' }),
    ).toBe(1);
  });

  it('two 发送 at once (a double click) send once', async () => {
    const res = await bureau.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send({
        csrf: bureau.csrf,
        roles: 'headTeacher',
        grade: '3',
        school: 'ZS01',
        content: '双击',
      })
      .expect(200);
    expect(res.text).toContain(`${names.ZS01}的三年级班主任`);
    const twice = draftIn(res.text);
    const post = () =>
      bureau.agent
        .post('/dashboard/district/notices/send')
        .type('form')
        .send({ csrf: bureau.csrf, id: twice });
    const answers = (await Promise.all([post(), post()])).map((r) => messageIn(r.text));
    expect(answers.filter((a) => a.includes('已开始发送'))).toHaveLength(1);
    expect(await groupRows(twice)).toHaveLength(1);
  });

  it('取消 sends nothing, and a 发送 after it is told so', async () => {
    const res = await bureau.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send({ csrf: bureau.csrf, roles: 'staff', content: '不发了' })
      .expect(200);
    expect(res.text).toContain('全区全体教师');
    const gone = draftIn(res.text);
    const post = (choice: string) =>
      bureau.agent
        .post(`/dashboard/district/notices/${choice}`)
        .type('form')
        .send({ csrf: bureau.csrf, id: gone })
        .expect(200);
    expect(messageIn((await post('cancel')).text)).toContain('已取消');
    expect(messageIn((await post('send')).text)).toContain('已取消');
    expect(await groupRows(gone)).toHaveLength(0);
  });

  it('the record: sent / failed / invalid once settled, a keyword search, the xlsx', async () => {
    await advance(bot, '2026-12-01T09:05:00+08:00');
    const b = await Broadcast.findById(id).lean<BroadcastDoc>();
    expect(b!.status).toBe('done');
    const page = await bureau.agent.get('/dashboard/district/notices').expect(200);
    expect(page.text).toContain(content);
    expect(page.text).toContain('已发完');
    expect(page.text).not.toContain('不发了'); // cancelled: not a notice sent
    const found = await bureau.agent.get('/dashboard/district/notices?q=工作会').expect(200);
    expect(found.text).toContain(content);
    expect(found.text).not.toContain('双击');
    const none = await bureau.agent.get('/dashboard/district/notices?q=没有这条').expect(200);
    expect(none.text).not.toContain(content);
    const file = await bureau.agent
      .get(`/dashboard/district/notices.xlsx?q=${encodeURIComponent('工作会')}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(file.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body);
    const ws = wb.worksheets[0];
    expect(String(ws.getRow(1).getCell(1).value)).toContain('全区');
    expect(ws.getRow(2).values).toEqual(expect.arrayContaining(['内容', '送达', '无效账号']));
    const row = ws.getRow(3);
    expect(row.getCell(4).value).toBe(content);
    expect(row.getCell(7).value).toBe(b!.delivered);
    expect(row.getCell(6).value).toBe('已发完');
    expect(row.getCell(1).value).toBeInstanceOf(Date);
  });
});

describe('a principal: own school only (issue #12, "a principal cannot address another school")', () => {
  let p: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    p = await signIn(d.principal.userid, 'ZS01');
  });

  it('the form fixes their school; no other school is offered', () => {
    expect(p.page).toContain('<input type="hidden" name="school" value="ZS01">');
    expect(p.page).not.toContain('value="ZS02"');
  });

  it("the sandbox tester's item 5: a primary school is offered 一–六年级 only; 七年级 posted is refused", async () => {
    const grades = /data-testid="grade">(.*?)<\/select>/s.exec(p.page)![1];
    expect(grades).toContain('>六年级<');
    expect(grades).not.toMatch(/七年级|八年级|九年级/);
    const res = await p.agent
      .post('/dashboard/ZS01/notices/preview')
      .type('form')
      .send({ csrf: p.csrf, school: 'ZS01', roles: 'headTeacher', grade: '7', content: '七年级' })
      .expect(200);
    expect(messageIn(res.text)).toContain('所选学校没有七年级');
  });

  it("another school's code posted by hand: 403, audited, no draft", async () => {
    const before = await Broadcast.countDocuments({});
    const res = await p.agent
      .post('/dashboard/ZS01/notices/preview')
      .type('form')
      .send(`csrf=${p.csrf}&school=ZS01&school=ZS02&roles=staff&content=伪造`)
      .expect(403);
    expect(res.text).toContain('您只能通知本校的教职工');
    expect(await Broadcast.countDocuments({})).toBe(before);
    const refused = { actor: d.principal.userid, action: 'broadcast', target: 'ZS02' };
    expect(
      await AuditEntry.countDocuments({ ...refused, channel: 'web', outcome: 'refused' }),
    ).toBe(1);
    // The other school's URL itself is the dashboard's scope rule: 403, audited.
    await p.agent
      .post('/dashboard/ZS02/notices/preview')
      .type('form')
      .send({ csrf: p.csrf, school: 'ZS02', roles: 'staff', content: '伪造' })
      .expect(403);
    expect(await Broadcast.countDocuments({})).toBe(before);
  });

  it('their own school works; the record shows only their own notices', async () => {
    const res = await p.agent
      .post('/dashboard/ZS01/notices/preview')
      .type('form')
      .send({ csrf: p.csrf, school: 'ZS01', roles: 'headTeacher', content: '本校班主任会' })
      .expect(200);
    expect(res.text).toContain(`${names.ZS01}的全体班主任`);
    const sent = await p.agent
      .post('/dashboard/ZS01/notices/send')
      .type('form')
      .send({ csrf: p.csrf, id: draftIn(res.text) })
      .expect(200);
    expect(sent.text).toContain('本校班主任会');
    expect(sent.text).not.toContain('控辍保学工作会'); // the bureau's notice
  });

  it("another sender's draft id: not theirs, nothing sent", async () => {
    const [theirs] = await Broadcast.find({ sender: d.bureau.userid, status: 'cancelled' })
      .limit(1)
      .lean<BroadcastDoc[]>();
    const res = await p.agent
      .post('/dashboard/ZS01/notices/send')
      .type('form')
      .send({ csrf: p.csrf, id: String(theirs._id) })
      .expect(200);
    expect(messageIn(res.text)).toContain('不是您起草的');
  });
});

describe('CSRF on every form (issue #12 "CSRF protection on every form")', () => {
  it('预览 and 发送 without the token, or cross-site, are refused and change nothing', async () => {
    const b = await signIn(d.bureau.userid, 'district');
    const before = await Broadcast.countDocuments({});
    await b.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send({ roles: 'principal', content: '无令牌' })
      .expect(403);
    await b.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send({ csrf: 'forged', roles: 'principal', content: '无令牌' })
      .expect(403);
    expect(await Broadcast.countDocuments({})).toBe(before);
    const res = await b.agent
      .post('/dashboard/district/notices/preview')
      .type('form')
      .send({ csrf: b.csrf, roles: 'principal', content: '待确认' })
      .expect(200);
    const id = draftIn(res.text);
    await b.agent.post('/dashboard/district/notices/send').type('form').send({ id }).expect(403);
    await b.agent
      .post('/dashboard/district/notices/send')
      .set('origin', 'https://evil.example')
      .type('form')
      .send({ csrf: b.csrf, id })
      .expect(403);
    expect((await Broadcast.findById(id).lean<BroadcastDoc>())!.status).toBe('draft');
    expect(await groupRows(id)).toHaveLength(0);
  });
});
