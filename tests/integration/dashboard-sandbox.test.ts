import nock from 'nock';
import { startSandbox } from '../support/sandbox';
import { WecomClient, WecomApiError } from '../../src/wecom/client';
import { mongoTokenStore } from '../../src/wecom/token-store';
import { Staff } from '../../src/models/roster';

/**
 * Issue #12 "Web dashboard", sandbox side: the fake WeCom API's OAuth2 (authorize → one-time
 * code → auth/getuserinfo) so the code exchange can be tried without a corp, and the sandbox
 * picker's CSRF double-submit token.
 */
let sandbox: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  nock.enableNetConnect();
  sandbox = await startSandbox();
}, 60_000);
afterAll(async () => {
  await sandbox.bot.close();
});

it('fake authorize redirects back with a code; getuserinfo turns it into the userid once', async () => {
  const { creds } = sandbox.bot;
  const client = new WecomClient({
    base: `${sandbox.url}/sandbox`,
    corpId: creds.corpId,
    agentId: creds.agentId,
    secret: creds.secret,
    store: mongoTokenStore,
  });
  const q = new URLSearchParams({ redirect_uri: '/dashboard/oauth', state: 's1', userid: 'u1' });
  const res = await fetch(`${sandbox.url}/sandbox/cgi-bin/connect/oauth2/authorize?${q}`, {
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!, sandbox.url);
  expect(back.pathname).toBe('/dashboard/oauth');
  expect(back.searchParams.get('state')).toBe('s1');
  const code = back.searchParams.get('code')!;
  expect(await client.userIdFromCode(code)).toBe('u1');
  await expect(client.userIdFromCode(code)).rejects.toThrow(WecomApiError);
});

it('the picker needs its double-submit token; a teacher is not offered and cannot sign in', async () => {
  const login = await fetch(`${sandbox.url}/dashboard/login`);
  const html = await login.text();
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="csrf" value="([^"]+)"/.exec(html)![1];
  const bureau = (await Staff.findOne({ 'roles.role': 'bureau' }).lean())!;
  const teacher = (await Staff.findOne({ 'roles.role': 'headTeacher' }).lean())!;
  expect(html).toContain(`value="${bureau.userid}"`);
  expect(html).not.toContain(`value="${teacher.userid}"`);
  const post = (body: Record<string, string>, withCookie = true) =>
    fetch(`${sandbox.url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(withCookie ? { cookie } : {}),
      },
      body: new URLSearchParams(body).toString(),
    });
  expect((await post({ userid: bureau.userid, csrf: 'wrong' })).status).toBe(403);
  expect((await post({ userid: bureau.userid, csrf: token }, false)).status).toBe(403);
  expect((await post({ userid: teacher.userid, csrf: token })).status).toBe(403);
  const ok = await post({ userid: bureau.userid, csrf: token });
  expect(ok.status).toBe(302);
  expect(ok.headers.get('location')).toBe('/dashboard/district/overview');
});
