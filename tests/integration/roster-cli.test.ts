import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { connectDb } from '../../src/db/connect';
import { Student } from '../../src/models/roster';
import { AuditEntry } from '../../src/models/audit';
import { testUri, TEST_DATA_KEY } from '../support/harness';
import { writeRoster } from '../../src/roster/workbook';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
const TSX = path.join(__dirname, '../../node_modules/.bin/tsx');
const CLI = path.join(__dirname, '../../src/cli/roster.ts');

async function roster(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [CLI, ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run roster (the command-line tool)', () => {
  jest.setTimeout(60_000);

  it('template → import --dry-run: Chinese summary, exit 0, no database needed', async () => {
    const file = path.join(dir, '花名册.xlsx');
    expect((await roster(['template', file])).out).toMatch(/已生成模板/);
    const res = await roster(['import', file, '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/检查完毕：学校 1、班级 1、教职工 1、学生 1 条有效/);
    expect(res.out).toMatch(/试运行/);
  });

  it('an invalid file: errors by sheet and row, exit 1, nothing imported', async () => {
    const file = path.join(dir, 'bad.xlsx');
    await writeRoster(file, { schools: [['S1', '一小', '大学']] });
    const res = await roster(['import', file, '--dry-run']);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/「学校」表 第 2 行：学段「大学」不对/);
  });

  it('imports into the database named by MONGODB_URI, with a progress bar, and audits it', async () => {
    const uri = testUri();
    const res = await roster(
      ['import', path.join(__dirname, '../../config/demo/demo-district.xlsx')],
      { MONGODB_URI: uri, BAOXUE_DATA_KEY: TEST_DATA_KEY },
    );
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/学生：新增 200，更新 0，未变 0/);
    await connectDb(uri);
    try {
      expect(await Student.countDocuments({})).toBe(200);
      expect(await AuditEntry.countDocuments({ action: 'roster.import', channel: 'cli' })).toBe(1);
    } finally {
      await mongoose.disconnect();
    }
  });

  it('issue 11: generate writes an invented county that imports cleanly', async () => {
    const file = path.join(dir, '县.xlsx');
    const gen = await roster([
      'generate',
      '--students',
      '600',
      '--schools',
      '4',
      '--staff',
      '150',
      file,
    ]);
    expect(gen.code).toBe(0);
    expect(gen.out).toMatch(/已生成：.*学校 4、班级 \d+、教职工 150、学生 600/);
    const res = await roster(['import', file, '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/学校 4、班级 \d+、教职工 150、学生 600 条有效/);
    expect(res.out).not.toMatch(/责任链缺口/);
  });

  it('without a database it says how to get one', async () => {
    const res = await roster(['export', path.join(dir, 'x.xlsx')], {
      MONGODB_URI: '',
      BAOXUE_DATA_KEY: '',
    });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/找不到数据库/);
  });
});
