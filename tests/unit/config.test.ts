import { parseEnv, ConfigError } from '../../src/config/env';
import { loadSettings } from '../../src/config/settings';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const full = {
  WECOM_CORP_ID: 'ww1',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's',
  WECOM_TOKEN: 't',
  WECOM_AES_KEY: 'a'.repeat(43),
  BAOXUE_DATA_KEY: 'ab'.repeat(32),
};

describe('environment', () => {
  it('no WeCom credentials → sandbox mode with defaults', () => {
    const env = parseEnv({});
    expect(env.sandbox).toBe(true);
    expect(env.PORT).toBe(3000);
    expect(env.WECOM_API_BASE).toBe('https://qyapi.weixin.qq.com');
  });
  it('all credentials → production mode', () => {
    expect(parseEnv(full).sandbox).toBe(false);
  });
  it('half the credentials is an error naming what is missing', () => {
    expect(() => parseEnv({ WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 't' })).toThrow(
      /Missing: WECOM_AGENT_ID, WECOM_SECRET, WECOM_AES_KEY/,
    );
  });
  it('names the bad variable', () => {
    expect(() => parseEnv({ ...full, WECOM_AES_KEY: 'short' })).toThrow(
      /WECOM_AES_KEY: must be exactly 43 characters/,
    );
    expect(() => parseEnv({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => parseEnv({ MONGODB_URI: 'not a uri' })).toThrow(/MONGODB_URI/);
  });
  it('production requires a data key for personal data at rest', () => {
    expect(() => parseEnv({ ...full, BAOXUE_DATA_KEY: undefined })).toThrow(/BAOXUE_DATA_KEY/);
  });
});

describe('settings file', () => {
  it('the shipped config/default.json is valid', () => {
    expect(loadSettings().ladder.headTeacherVisitWithinSchoolDays).toBe(1);
  });
  it('names the bad key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bx-'));
    const s = loadSettings();
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...s, ladder: { ...s.ladder, morningCheckAt: '25:00' } }));
    expect(() => loadSettings(file)).toThrow(/ladder.morningCheckAt: must be HH:MM/);
  });
});
