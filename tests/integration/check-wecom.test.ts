import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import nock from 'nock';
import { connectDb } from '../../src/db/connect';
import { Staff } from '../../src/models/roster';
import { loadDemoDistrict } from '../../src/roster/demo-load';
import { PiiCipher } from '../../src/lib/pii';
import { freePort } from '../../src/lib/free-port';
import { WecomClient } from '../../src/wecom/client';
import { mongoTokenStore, WecomToken } from '../../src/wecom/token-store';
import { checkWecom, describeCheck } from '../../src/cli/check-wecom';
import { API, OFFICIAL, setupNock, startBot, testUri, TEST_DATA_KEY } from '../support/harness';
import { buildStaff } from '../support/factories';

/**
 * Issue #11, "Real userids": `npm run roster -- check-wecom` compares the roster's staff with
 * the corp's contacts, because message/send silently drops a userid WeCom does not know.
 */
const client = () =>
  new WecomClient({
    base: API,
    corpId: OFFICIAL.corpId,
    agentId: OFFICIAL.agentId,
    secret: OFFICIAL.secret,
    store: mongoTokenStore,
  });

describe('check-wecom against the WeCom API shape (nock)', () => {
  let staff: { userid: string; name: string }[];

  beforeAll(async () => {
    await connectDb(testUri());
    await loadDemoDistrict(new PiiCipher(TEST_DATA_KEY), true);
    staff = await Staff.find({}).sort({ userid: 1 }).lean<{ userid: string; name: string }[]>();
    setupNock();
  });
  afterAll(async () => {
    nock.cleanAll();
    await mongoose.disconnect();
  });
  beforeEach(async () => {
    nock.cleanAll();
    await WecomToken.deleteMany({});
    nock(API)
      .get('/cgi-bin/gettoken')
      .query({ corpid: OFFICIAL.corpId, corpsecret: OFFICIAL.secret })
      .reply(200, { errcode: 0, access_token: 'tok', expires_in: 7200 });
  });

  it('the app visible range: department/list, then user/simplelist per department', async () => {
    // Two staff members unknown to WeCom (a typo'd userid), one corp member not in the roster.
    const known = staff.slice(2).map((p) => p.userid);
    const half = Math.floor(known.length / 2);
    const scope = nock(API)
      .get('/cgi-bin/department/list')
      .query({ access_token: 'tok' })
      .reply(200, {
        errcode: 0,
        errmsg: 'ok',
        department: [
          { id: 1, name: '区教体局', parentid: 0, order: 1 },
          { id: 7, name: '一小', parentid: 1, order: 2 },
        ],
      })
      .get('/cgi-bin/user/simplelist')
      .query({ access_token: 'tok', department_id: '1' })
      .reply(200, {
        errcode: 0,
        userlist: known.slice(0, half + 1).map((userid) => ({ userid, department: [1] })),
      })
      .get('/cgi-bin/user/simplelist')
      .query({ access_token: 'tok', department_id: '7' })
      .reply(200, {
        errcode: 0,
        // One member in both departments: counted once.
        userlist: [...known.slice(half), 'canteen01'].map((userid) => ({ userid })),
      });
    const check = await checkWecom(client());
    expect(scope.isDone()).toBe(true);
    expect(check).toEqual({
      staff: staff.length,
      corp: known.length + 1,
      via: 'department',
      unknownToWecom: staff.slice(0, 2).map((p) => ({ userid: p.userid, name: p.name })),
      notInRoster: ['canteen01'],
    });
    const text = describeCheck(check);
    expect(text).toContain(`企业微信不认识的教职工 2 人`);
    expect(text).toContain(`${staff[0].name}（${staff[0].userid}）`);
    expect(text).toMatch(/企业微信中有、花名册中没有的成员 1 人：\n {2}canteen01/);
  });

  it('when the corp refuses the department reads: user/list_id, following next_cursor', async () => {
    const all = staff.map((p) => p.userid);
    const bodies: unknown[] = [];
    const scope = nock(API)
      .get('/cgi-bin/department/list')
      .query(true)
      .reply(200, { errcode: 48002, errmsg: 'api forbidden' })
      .post('/cgi-bin/user/list_id', (b) => bodies.push(b) > 0)
      .query({ access_token: 'tok' })
      .reply(200, {
        errcode: 0,
        next_cursor: 'page2',
        dept_user: all.slice(0, 10).map((userid) => ({ userid, department: 1 })),
      })
      .post('/cgi-bin/user/list_id', (b) => bodies.push(b) > 0)
      .query({ access_token: 'tok' })
      .reply(200, {
        errcode: 0,
        next_cursor: '',
        dept_user: all.slice(10).map((userid) => ({ userid, department: 2 })),
      });
    const check = await checkWecom(client());
    expect(scope.isDone()).toBe(true);
    expect(bodies).toEqual([{ limit: 10000 }, { limit: 10000, cursor: 'page2' }]);
    expect(check).toMatchObject({ via: 'list_id', unknownToWecom: [], notInRoster: [] });
    expect(describeCheck(check)).toContain('花名册中的教职工在企业微信里都找得到');
  });

  it('a read with an expired token (42001) fetches a new token and is tried once more (withToken)', async () => {
    const scope = nock(API)
      .get('/cgi-bin/department/list')
      .query({ access_token: 'tok' })
      .reply(200, { errcode: 42001, errmsg: 'access_token expired' })
      .get('/cgi-bin/gettoken')
      .query(true)
      .reply(200, { errcode: 0, access_token: 'tok2', expires_in: 7200 })
      .get('/cgi-bin/department/list')
      .query({ access_token: 'tok2' })
      .reply(200, { errcode: 0, department: [{ id: 1, name: '区教体局', parentid: 0 }] });
    const json = await client().get('/cgi-bin/department/list');
    expect(scope.isDone()).toBe(true);
    expect(json.department).toHaveLength(1);
  });

  it('a transient failure is an error, not an empty corp (nobody reported unknown)', async () => {
    nock(API).get('/cgi-bin/department/list').query(true).reply(503);
    await expect(checkWecom(client())).rejects.toThrow(/http 503/);
  });
});

describe('npm run roster -- check-wecom against the sandbox fake API', () => {
  jest.setTimeout(90_000);
  const run = promisify(execFile);
  const TSX = path.join(__dirname, '../../node_modules/.bin/tsx');
  const CLI = path.join(__dirname, '../../src/cli/roster.ts');

  it('the demo roster is known; a staff member WeCom does not know is listed, exit 1', async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    const uri = testUri();
    const port = await freePort();
    const bot = await startBot({
      mongoUri: uri,
      sandbox: true,
      apiBase: `http://127.0.0.1:${port}/sandbox`,
    });
    await bot.listen(port);
    const cli = async () => {
      try {
        const { stdout } = await run(TSX, [CLI, 'check-wecom'], {
          env: {
            ...process.env,
            LOG_LEVEL: 'silent',
            MONGODB_URI: uri,
            WECOM_CORP_ID: OFFICIAL.corpId,
            WECOM_AGENT_ID: OFFICIAL.agentId,
            WECOM_SECRET: OFFICIAL.secret,
            WECOM_API_BASE: `http://127.0.0.1:${port}/sandbox`,
          },
        });
        return { code: 0, out: stdout };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };
    try {
      await loadDemoDistrict(bot.services.pii, true);
      const ok = await cli();
      expect(ok.out).toMatch(/花名册教职工 36 人；企业微信通讯录（应用可见范围）成员 36 人/);
      expect(ok.out).toContain('都找得到');
      expect(ok.code).toBe(0);

      await Staff.create(buildStaff({ userid: 'wangxin2', name: '王新' }));
      const gone = await Staff.findOne({ 'roles.role': 'bureau' }).lean();
      await Staff.deleteOne({ userid: gone!.userid });
      const bad = await cli();
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/企业微信不认识的教职工 1 人[^\n]*\n {2}王新（wangxin2）/);
      expect(bad.out).toMatch(new RegExp(`花名册中没有的成员 1 人：\\n {2}${gone!.userid}`));
    } finally {
      await bot.close();
    }
  });
});
