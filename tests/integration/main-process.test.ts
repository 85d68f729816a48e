import { freePort } from '../../src/lib/free-port';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import nock from 'nock';
import { OFFICIAL, testUri, TEST_DATA_KEY } from '../support/harness';
import { WecomCipher } from '../../src/wecom/crypto';

/** The real entry point, as production starts it: env only, then SIGTERM. */
const TSX = path.join(__dirname, '../../node_modules/.bin/tsx');
const MAIN = path.join(__dirname, '../../src/main.ts');

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let out = '';
  const child = spawn(TSX, [MAIN], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b) => {
    out += b;
  });
  child.stderr!.on('data', (b) => {
    out += b;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

beforeAll(() => {
  nock.enableNetConnect();
});

describe('src/main.ts', () => {
  jest.setTimeout(60_000);

  it('production mode: real credentials and MongoDB, URL verification answered, SIGTERM exits cleanly and promptly', async () => {
    const port = await freePort();
    const proc = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: testUri(),
      BAOXUE_DATA_KEY: TEST_DATA_KEY,
      WECOM_CORP_ID: OFFICIAL.corpId,
      WECOM_AGENT_ID: OFFICIAL.agentId,
      WECOM_SECRET: OFFICIAL.secret,
      WECOM_TOKEN: OFFICIAL.token,
      WECOM_AES_KEY: OFFICIAL.aesKey,
      WECOM_API_BASE: 'http://127.0.0.1:9', // unreachable on purpose: nothing is pushed in this test
    });
    try {
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health?.ok; i++) {
        await new Promise((r) => setTimeout(r, 200));
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      }
      expect(health?.status).toBe(200);
      expect(proc.output()).toMatch(/listening for WeCom callbacks/);
      expect(proc.output()).not.toMatch(/SANDBOX/);
      expect((await fetch(`http://127.0.0.1:${port}/sandbox`)).status).toBe(404);

      const cipher = new WecomCipher(OFFICIAL);
      const echostr = cipher.seal('echo-42');
      const ts = String(Math.floor(Date.now() / 1000));
      const q = new URLSearchParams({
        msg_signature: cipher.sign(ts, 'n', echostr),
        timestamp: ts,
        nonce: 'n',
        echostr,
      });
      expect(await (await fetch(`http://127.0.0.1:${port}/wecom/callback?${q}`)).text()).toBe(
        'echo-42',
      );
    } finally {
      const t0 = Date.now();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
    }
    expect(proc.output()).toMatch(/shutting down/);
    expect(proc.output()).toMatch(/"msg":"stopped"/);
  });

  it('half the WeCom credentials is a configuration error that names what is missing', async () => {
    const proc = start({ WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 't' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/Missing: WECOM_AGENT_ID, WECOM_SECRET, WECOM_AES_KEY/);
  });
});
