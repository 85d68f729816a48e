import nock from 'nock';
import ExcelJS from 'exceljs';
import { startBot, setupNock, advance, API, type TestBot } from '../support/harness';
import { demo } from '../support/demo';
import { CaseFact } from '../../src/models/case';
import { School, type SchoolRow } from '../../src/models/roster';
import { OutboxMessage } from '../../src/outbox/model';
import { ManualClock } from '../../src/lib/clock';

/**
 * Issue #12 "Workbooks": `导出 月报 2026-11` returns the workbook as a WeCom file message —
 * uploaded as temporary media (media/upload?type=file, multipart) when the outbox sends it,
 * then message/send msgtype file with that media_id; an outage is retried and sends one file.
 * The uploaded workbook is read back with exceljs and checked cell by cell.
 */
const MON = '2026-11-30T08:00:00+08:00';
let bot: TestBot;
let d: Awaited<ReturnType<typeof demo>>;
let schools: SchoolRow[];

interface Upload {
  filename: string;
  data: Buffer;
  mediaId: string;
}
const api = {
  uploads: [] as Upload[],
  sends: [] as { touser: string; msgtype: string; file?: { media_id: string } }[],
  uploadDown: 0,
  sendDown: 0,
};

/** The raw request body nock hands over (binary bodies come hex-encoded). */
const raw = (body: unknown): Buffer =>
  typeof body === 'string' && /^[0-9a-f]+$/i.test(body) && body.length % 2 === 0
    ? Buffer.from(body, 'hex')
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');

function mockApi(): void {
  nock(API)
    .persist()
    .get('/cgi-bin/gettoken')
    .query(true)
    .reply(200, { errcode: 0, access_token: 'tok', expires_in: 7200 })
    .post('/cgi-bin/media/upload')
    .query((q) => q.type === 'file' && q.access_token === 'tok')
    .reply(async function (_uri, body) {
      if (api.uploadDown > 0) {
        api.uploadDown--;
        return [502, 'bad gateway'];
      }
      const type = String(this.req.headers['content-type']);
      const form = await new Response(new Uint8Array(raw(body)), {
        headers: { 'content-type': type },
      }).formData();
      const file = form.get('media') as File;
      const mediaId = `media-${api.uploads.length + 1}`;
      api.uploads.push({
        filename: file.name,
        data: Buffer.from(await file.arrayBuffer()),
        mediaId,
      });
      return [200, { errcode: 0, errmsg: 'ok', type: 'file', media_id: mediaId, created_at: '1' }];
    })
    .post('/cgi-bin/message/send')
    .query(true)
    .reply((_uri, body: any) => {
      if (api.sendDown > 0) {
        api.sendDown--;
        return [503, 'unavailable'];
      }
      api.sends.push({ touser: body.touser, msgtype: body.msgtype, file: body.file });
      return [200, { errcode: 0, errmsg: 'ok', msgid: `m${api.sends.length}`, invaliduser: '' }];
    });
}

beforeAll(async () => {
  setupNock();
  mockApi();
  bot = await startBot({ clock: new ManualClock(MON) });
  d = await demo(bot);
  schools = await School.find({}).lean<SchoolRow[]>();
  await CaseFact.create({
    factId: 'f-dropout',
    caseId: 'c-1',
    studentNo: d.plain.studentNo,
    schoolCode: d.plain.schoolCode,
    classId: d.plain.classId,
    grade: d.plain.grade,
    type: 'dropoutConfirmed',
    actor: d.principal.userid,
    channel: 'wecom',
    at: new Date('2026-11-20T10:00:00+08:00'),
    detail: '随父母外出务工',
  });
});
afterAll(async () => {
  await bot.close();
  nock.cleanAll();
});
beforeEach(async () => {
  await OutboxMessage.deleteMany({});
  api.uploads.length = 0;
  api.sends.length = 0;
  api.uploadDown = 0;
  api.sendDown = 0;
});

const say = async (who: { userid: string }, text: string) =>
  (await bot.say(text, who.userid)).reply ?? '';
const flush = () => advance(bot, bot.clock.now());
const later = (minutes: number) =>
  advance(bot, new Date(bot.clock.now().getTime() + minutes * 60_000));

async function workbook(data: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return wb;
}

describe('导出: the workbook as a WeCom file message (issue #12)', () => {
  it('the bureau: upload as temporary media, then message/send msgtype file with its media_id', async () => {
    const reply = await say(d.bureau, '导出 月报 2026-11');
    expect(reply).toMatch(
      /^已生成「全区 2026年11月 流失生月报」工作簿（\d+ 所学校，明细 1 条），稍后以文件消息发给您/,
    );
    expect(api.uploads).toHaveLength(0); // uploaded when sent, not when asked
    await flush();
    expect(api.uploads).toHaveLength(1);
    expect(api.uploads[0].filename).toBe('全区-2026年11月-流失生月报.xlsx');
    expect(api.sends).toEqual([
      { touser: d.bureau.userid, msgtype: 'file', file: { media_id: 'media-1' } },
    ]);
  });

  it('the workbook: title row, frozen header, date cells, fitted widths, totals, class and school names', async () => {
    await say(d.bureau, '导出 月报 2026-11');
    await flush();
    const wb = await workbook(api.uploads[0].data);
    const status = wb.getWorksheet('上报情况')!;
    expect(status.getCell('A1').value).toBe('区教体局 · 全区 2026年11月 流失生月报');
    expect(status.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(status.getRow(2).values).toEqual([
      undefined,
      '学校',
      '状态',
      '截止',
      '上报人',
      '上报时间',
      '流失生（条）',
      '内容摘要',
    ]);
    const names = schools.map((s) => s.name).sort();
    const listed = [3, 4].map((r) => status.getCell(r, 1).value);
    expect(listed.sort()).toEqual(names);
    const totals = status.getRow(3 + schools.length);
    expect(totals.getCell(1).value).toBe(`合计 ${schools.length} 所学校`);
    expect(totals.getCell(6).value).toBe(1);
    expect(totals.font?.bold).toBe(true);
    // Widths fitted to the content: a school name (7 CJK characters) is wider than 14.
    expect(status.getColumn(1).width).toBeGreaterThanOrEqual(16);
    expect(status.getColumn(6).width).toBeLessThan(status.getColumn(1).width! + 1);

    const detail = wb.getWorksheet('流失生明细')!;
    expect(detail.getRow(2).values).toEqual([
      undefined,
      '学校',
      '班级',
      '姓名',
      '学籍号',
      '确认日期',
      '原因',
    ]);
    expect(detail.getRow(3).values).toEqual([
      undefined,
      '珠山区第一小学',
      '三年级1班',
      d.plain.name,
      d.plain.studentNo,
      new Date('2026-11-20T00:00:00Z'),
      '随父母外出务工',
    ]);
    expect(detail.getCell('E3').numFmt).toBe('yyyy-mm-dd');
    expect(detail.getCell('A4').value).toBe('合计 1 人');
    // School names, never codes, anywhere in the workbook.
    const codes = schools.map((s) => s.code);
    for (const ws of wb.worksheets)
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          for (const code of codes) expect(String(cell.value)).not.toContain(code);
        }),
      );
  });

  it('a principal exports their school; another school is refused; 季报 by quarter', async () => {
    const other = schools.find((s) => s.code !== d.principal.roles[0].schoolCode)!;
    expect(await say(d.principal, '导出 月报 2026-11')).toMatch(
      /「珠山区第一小学 2026年11月 流失生月报」/,
    );
    expect(await say(d.principal, `导出 月报 2026-11 ${other.name}`)).toMatch(
      /报表由校长、分管领导（本校）/,
    );
    expect(await say(d.head, '导出 月报 2026-11')).toMatch(/报表由校长、分管领导（本校）/);
    expect(await say(d.bureau, `导出 季报 2026-Q4 ${other.name}`)).toMatch(
      new RegExp(`「${other.name} 2026年第4季度 学籍变动季报」`),
    );
    expect(await say(d.bureau, '导出')).toMatch(/请写明期间，例如「导出 月报 2026-11」/);
    await flush();
    expect(api.sends.map((s) => s.touser).sort()).toEqual(
      [d.bureau.userid, d.principal.userid].sort(),
    );
    const mine = await workbook(
      api.uploads.find((u) => u.filename.startsWith('珠山区第一小学'))!.data,
    );
    expect(mine.getWorksheet('上报情况')!.getCell('A1').value).toBe(
      '区教体局 · 珠山区第一小学 2026年11月 流失生月报',
    );
    expect(mine.getWorksheet('上报情况')!.getCell('A3').value).toBe('珠山区第一小学');
    expect(mine.getWorksheet('上报情况')!.getCell('A4').value).toBe('合计 1 所学校');
  });

  it('retried after an outage (upload down, then send down): one upload used, one file sent', async () => {
    api.uploadDown = 1;
    await say(d.bureau, '导出 月报 2026-11');
    await flush();
    expect(api.uploads).toHaveLength(0);
    expect(api.sends).toHaveLength(0);
    api.sendDown = 1;
    await later(10); // the upload now succeeds, the send fails
    expect(api.uploads).toHaveLength(1);
    expect(api.sends).toHaveLength(0);
    await later(30); // the stored request (same media_id) is sent as first built
    await later(30);
    expect(api.uploads).toHaveLength(1);
    expect(api.sends).toEqual([
      { touser: d.bureau.userid, msgtype: 'file', file: { media_id: 'media-1' } },
    ]);
    const row = await OutboxMessage.findOne({ recipient: d.bureau.userid, kind: 'file' }).lean();
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
  });
});
