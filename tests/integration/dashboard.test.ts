import nock from 'nock';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { advance, API, OFFICIAL, type TestBot, useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { AuditEntry } from '../../src/models/audit';
import { Report } from '../../src/models/report';
import { HomeVisit } from '../../src/models/case';
import { Student } from '../../src/models/roster';
import { SESSION_COOKIE } from '../../src/web/session';
import { recountClasses } from '../../src/roster/counts';

/**
 * Issue #12 "Web dashboard": WeCom OAuth2 sign-in (code → userid against nock), the signed
 * session cookie, scope by URL (a principal opening another school's URL → 403 + audit),
 * CSRF on POST, and every table's xlsx read back cell by cell.
 * Monday 2026-11-30 08:00 Asia/Shanghai; the head teacher reports an absence and misses the
 * visit, so on Wednesday the dashboard has an open case and an overdue duty.
 */
let server: ReturnType<TestBot['app']['callback']>;

const t = useBot({ clock: new ManualClock('2026-11-30T08:00:00+08:00') });
beforeAll(async () => {
  server = t.bot.app.callback();
  await t.bot.say(`缺勤 ${t.d.plain.name}`, t.d.head.userid);
  await advance(t.bot, '2026-12-02T10:00:00+08:00');
  await Student.updateOne({ studentNo: t.d.atRisk.studentNo }, { $set: { status: 'droppedOut' } });
  await recountClasses(); // as a roster write would
  await HomeVisit.create({
    visitId: 'v1',
    studentNo: t.d.plain.studentNo,
    visitor: t.d.head.userid,
    at: new Date('2026-11-20T10:00:00+08:00'),
    record: '入户',
    channel: 'wecom',
    schoolCode: 'ZS01',
  });
  await Report.create([
    {
      key: 'monthly:2026-11:ZS01',
      schoolCode: 'ZS01',
      kind: 'monthly',
      period: '2026-11',
      label: '2026年11月',
      dueAt: new Date('2026-12-07T18:00:00+08:00'),
      status: 'submitted',
      submittedBy: t.d.principal.userid,
      submittedAt: new Date('2026-12-01T09:30:00+08:00'),
    },
  ]);
}, 60_000);

/** Signs in through WeCom OAuth2: /dashboard/login → authorize URL; code → userid (nock). */
async function signIn(userid: string) {
  const agent = request.agent(server);
  const login = await agent.get('/dashboard/login').expect(302);
  const url = new URL(login.headers.location.replace('#wechat_redirect', ''));
  const code = `code-${userid}`;
  nock(API)
    .get('/cgi-bin/auth/getuserinfo')
    .query((q) => q.code === code && typeof q.access_token === 'string')
    .reply(200, { errcode: 0, errmsg: 'ok', userid, user_ticket: 't' });
  const back = await agent
    .get('/dashboard/oauth')
    .query({ code, state: url.searchParams.get('state') });
  return { agent, login, url, back };
}

describe('sign-in (WeCom OAuth2 web login)', () => {
  it('redirects to open.weixin.qq.com with the corp id, our redirect and a state; the code becomes a session', async () => {
    const { url, back, login } = await signIn(t.d.principal.userid);
    expect(url.origin + url.pathname).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect(url.searchParams.get('appid')).toBe(OFFICIAL.corpId);
    expect(url.searchParams.get('redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/dashboard\/oauth$/,
    );
    expect(url.searchParams.get('scope')).toBe('snsapi_base');
    expect(login.headers.location).toMatch(/#wechat_redirect$/);
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe('/dashboard/ZS01/overview');
    const cookie = (back.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith(`${SESSION_COOKIE}=`),
    )!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).toMatch(/expires=/i);
  });

  it('a wrong state is refused before any code exchange', async () => {
    const agent = request.agent(server);
    await agent.get('/dashboard/login').expect(302);
    const res = await agent.get('/dashboard/oauth').query({ code: 'x', state: 'forged' });
    expect(res.status).toBe(403);
  });

  it('a head teacher cannot use the dashboard (refused and audited)', async () => {
    const { back } = await signIn(t.d.head.userid);
    expect(back.status).toBe(403);
    expect(back.text).toContain('仅供区教体局、校长和分管领导使用');
    expect(await AuditEntry.countDocuments({ actor: t.d.head.userid, outcome: 'refused' })).toBe(1);
  });

  it('a tampered session cookie is not a session', async () => {
    const { agent, back } = await signIn(t.d.principal.userid);
    const raw = (back.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
      .split(';')[0]
      .slice(SESSION_COOKIE.length + 1);
    const [body, sig] = raw.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body, 'base64url').toString()),
        u: t.d.bureau.userid,
      }),
    ).toString('base64url');
    const res = await request(server)
      .get('/dashboard/district/overview')
      .set('cookie', `${SESSION_COOKIE}=${forged}.${sig}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/dashboard/login');
    await agent.get('/dashboard/ZS01/overview').expect(200);
  });
});

describe('scope by URL', () => {
  it("a principal sees their school; another school's URL and the district are 403 and audited", async () => {
    const { agent } = await signIn(t.d.principal.userid);
    const own = await agent.get('/dashboard/ZS01/overview').expect(200);
    expect(own.text).toContain('珠山区第一小学');
    expect(own.text).toContain('缺勤跟踪');
    expect(own.text).not.toContain('珠山区第二中学');
    const other = await agent.get('/dashboard/ZS02/overdue');
    expect(other.status).toBe(403);
    expect(other.text).toContain('您只能查看本校的数据');
    await agent.get('/dashboard/ZS02/overdue.xlsx').expect(403);
    await agent.get('/dashboard/district/overview').expect(403);
    const refused = await AuditEntry.find({
      actor: t.d.principal.userid,
      outcome: 'refused',
    }).lean();
    expect(refused.map((a) => a.target).sort()).toEqual(['ZS02', 'ZS02', 'district']);
    expect(refused.every((a) => a.channel === 'web' && a.action === 'viewDashboard')).toBe(true);
  });

  it('the bureau sees the district and every school', async () => {
    const { agent } = await signIn(t.d.bureau.userid);
    const res = await agent.get('/dashboard/district/retention').expect(200);
    expect(res.text).toContain('珠山区第一小学');
    expect(res.text).toContain('珠山区第二中学');
    await agent.get('/dashboard/ZS02/overview').expect(200);
  });

  it('a deputy sees their own school only', async () => {
    const { agent } = await signIn(t.d.deputy.userid);
    await agent.get('/dashboard/ZS01/visits').expect(200);
    await agent.get('/dashboard/ZS02/visits').expect(403);
  });

  it('signed out, every page sends you to sign in', async () => {
    const res = await request(server).get('/dashboard/ZS01/overview').expect(302);
    expect(res.headers.location).toBe('/dashboard/login');
  });
});

describe('CSRF', () => {
  it('logout without the token is refused; with it the session ends', async () => {
    const { agent } = await signIn(t.d.principal.userid);
    const page = await agent.get('/dashboard/ZS01/overview').expect(200);
    const token = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post('/dashboard/logout').type('form').send({ csrf: 'nope' }).expect(403);
    await agent.get('/dashboard/ZS01/overview').expect(200);
    await agent
      .post('/dashboard/logout')
      .type('form')
      .set('origin', 'https://evil.example')
      .send({ csrf: token })
      .expect(403);
    await agent.post('/dashboard/logout').type('form').send({ csrf: token }).expect(302);
    await agent.get('/dashboard/ZS01/overview').expect(302);
  });

  it('the sandbox picker is not available in production', async () => {
    await request(server)
      .post('/dashboard/login')
      .type('form')
      .send({ userid: t.d.bureau.userid })
      .expect(403);
  });
});

async function workbook(agent: ReturnType<typeof request.agent>, url: string) {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200);
  expect(res.headers['content-type']).toMatch(/spreadsheetml/);
  expect(res.headers['content-disposition']).toMatch(/attachment; filename\*=UTF-8''/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body);
  return wb.worksheets[0];
}

describe('xlsx downloads (read back cell by cell)', () => {
  it('overdue duties: title row, frozen header, names, a real date cell, days overdue, totals', async () => {
    const { agent } = await signIn(t.d.principal.userid);
    const ws = await workbook(agent, '/dashboard/ZS01/overdue.xlsx?t=0');
    expect(ws.getCell('A1').value).toBe('区教体局 · 珠山区第一小学 · 逾期事项 · 截至 2026-12-02');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.getRow(2).values).toEqual([
      undefined,
      '学校',
      '班级',
      '学生',
      '事项',
      '责任人',
      '截止时间',
      '逾期天数',
    ]);
    const rows = ws.getSheetValues().slice(3, ws.rowCount) as unknown[][];
    expect(rows.map((r) => r[4]).sort()).toEqual(['班主任家访', '确认到校情况']);
    const visit = rows.find((r) => r[4] === '班主任家访')!;
    expect(visit.slice(1, 6)).toEqual([
      '珠山区第一小学',
      '三年级1班',
      t.d.plain.name,
      '班主任家访',
      t.d.head.name,
    ]);
    const due = visit[6] as Date;
    expect(due).toBeInstanceOf(Date);
    // Tuesday 18:00 Shanghai, written as wall-clock time (a spreadsheet has no zones).
    expect(due.toISOString()).toBe('2026-12-01T18:00:00.000Z');
    expect(ws.getColumn(6).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(visit[7]).toBe(1);
    const last = ws.getRow(ws.rowCount);
    expect(last.getCell(1).value).toBe('合计 2 项');
    // Fitted: the longest text in the column is 确认到校情况 (6 CJK characters = 12) + 2.
    expect(ws.getColumn(4).width).toBe(14);
  });

  it('retention per school (bureau): counts, percent cells, totals row recomputed', async () => {
    const { agent } = await signIn(t.d.bureau.userid);
    const ws = await workbook(agent, '/dashboard/district/retention.xlsx');
    expect(String(ws.getCell('A1').value)).toMatch(/^区教体局 · 全区 · 巩固率 · 截至 2026-12-02$/);
    const zs01 = await Student.countDocuments({
      schoolCode: 'ZS01',
      status: { $in: ['enrolled', 'suspended'] },
    });
    const zs02 = await Student.countDocuments({
      schoolCode: 'ZS02',
      status: { $in: ['enrolled', 'suspended'] },
    });
    expect(ws.getRow(3).values).toEqual([
      undefined,
      '珠山区第一小学',
      zs01,
      1,
      zs01 / (zs01 + 1),
      zs01 + 1,
    ]);
    expect(ws.getCell('D3').numFmt).toBe('0.00%');
    expect(ws.getRow(4).values).toEqual([undefined, '珠山区第二中学', zs02, 0, 1, zs02]);
    const total = ws.getRow(5);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.getCell(2).value).toBe(zs01 + zs02);
    expect(total.getCell(3).value).toBe(1);
    expect(total.getCell(4).value).toBeCloseTo((zs01 + zs02) / (zs01 + zs02 + 1));
    expect(total.font?.bold).toBe(true);
  });

  it('overview: open cases by gate and long absences; visits against the quota; report status', async () => {
    const { agent } = await signIn(t.d.principal.userid);
    const cases = await workbook(agent, '/dashboard/ZS01/overview.xlsx?t=0');
    expect(cases.getRow(2).values).toEqual([undefined, '学校', '缺勤跟踪', '合计']);
    expect(cases.getRow(3).values).toEqual([undefined, '珠山区第一小学', 1, 1]);
    const visits = await workbook(agent, '/dashboard/ZS01/visits.xlsx');
    expect(String(visits.getCell('A1').value)).toMatch(/家访任务完成情况 · .*学期/);
    const headRow = visits
      .getSheetValues()
      .find((r) => Array.isArray(r) && r[2] === t.d.head.name) as unknown[];
    expect(headRow.slice(3)).toEqual(['班主任', 1, 20, '否']);
    const reports = await workbook(agent, '/dashboard/ZS01/reports.xlsx');
    expect(reports.getRow(3).values).toEqual([
      undefined,
      '珠山区第一小学',
      '月报',
      '2026年11月',
      '已上报',
      new Date('2026-12-07T18:00:00Z'),
      new Date('2026-12-01T09:30:00Z'),
    ]);
    expect(reports.getRow(4).getCell(4).value).toBe('未开始');
  });
});
