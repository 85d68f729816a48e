import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import mongoose from 'mongoose';
import { connectDb } from '../db/connect';
import { describeImport, importRoster } from '../roster/import';
import { writeTemplate, writeRoster } from '../roster/workbook';
import { exportRows } from '../roster/apply';
import { PiiCipher } from '../lib/pii';
import { readSandboxHandoff } from '../sandbox-handoff';
import '../models/roster';
import { auditCli } from '../models/audit';
import { runProgram } from './run';
import { registerCheckWecom } from './check-wecom';
import { generateCounty } from '../roster/generate';

/** A progress bar that starts on the first report (its total is known only then). */
function progressBar(label: string): {
  update: (done: number, total: number) => void;
  stop(): void;
} {
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

/**
 * `npm run roster -- template|import|export`: the roster from and to one Excel workbook
 * (or a folder of CSV files, one per sheet). Talks to MONGODB_URI, or to the running sandbox.
 */
function target(): { uri: string; key: string } {
  const handoff = readSandboxHandoff();
  const uri = process.env.MONGODB_URI ?? handoff?.mongoUri;
  const key = process.env.BAOXUE_DATA_KEY ?? handoff?.dataKey;
  if (!uri || !key) {
    throw new Error(
      '找不到数据库：请设置 MONGODB_URI 和 BAOXUE_DATA_KEY，或先用 npm start 启动沙盒。',
    );
  }
  return { uri, key };
}

const program = new Command().name('roster').description('花名册：导入、导出、模板');

program
  .command('template')
  .description('生成一个空白花名册（带中文表头和一行示例）')
  .argument('<file>', '输出文件，如 花名册.xlsx；不带扩展名则输出为 CSV 文件夹')
  .action(async (file: string) => {
    await writeTemplate(file);
    console.log(`已生成模板：${file}`);
  });

program
  .command('generate')
  .description('生成一个虚构的县的花名册（用于试用和性能测试，人物均为虚构）')
  .argument('<file>', '输出文件，如 县.xlsx')
  .option('--students <n>', '学生人数', '56000')
  .option('--schools <n>', '学校数', '69')
  .option('--staff <n>', '教职工人数（约数）', '3800')
  .option('--seed <n>', '随机种子（同一种子生成同样的数据）', '20261129')
  .action(async (file: string, o: Record<'students' | 'schools' | 'staff' | 'seed', string>) => {
    const [students, schools, staff, seed] = [o.students, o.schools, o.staff, o.seed].map(Number);
    if (![students, schools, staff, seed].every((n) => Number.isInteger(n) && n > 0))
      throw new Error('--students、--schools、--staff 和 --seed 都应为正整数');
    const made = progressBar('生成学生');
    const rows = generateCounty({ students, schools, staff, seed, onProgress: made.update });
    made.stop();
    const written = progressBar('写入文件');
    await writeRoster(file, rows, written.update);
    written.stop();
    const s = rows.students.filter((r) => r[15] === '是').length;
    console.log(
      `已生成：${file}（学校 ${rows.schools.length}、班级 ${rows.classes.length}、` +
        `教职工 ${new Set(rows.staff.map((r) => r[0])).size}、学生 ${rows.students.length}，` +
        `其中易辍对象 ${s}）`,
    );
  });

program
  .command('import')
  .description('从 Excel 工作簿（或 CSV 文件夹）导入花名册：先检查每一行，全部正确才导入')
  .argument(
    '<file>',
    '.xlsx 文件，或含 学校.csv、班级.csv、教职工.csv、任课.csv、学生.csv 的文件夹',
  )
  .option('--dry-run', '只检查，不写入')
  .option('--skip-invalid', '跳过有错误的行，导入其余的')
  .action(async (file: string, opts: { dryRun?: boolean; skipInvalid?: boolean }) => {
    const { uri, key } = opts.dryRun ? { uri: '', key: PiiCipher.generateKey() } : target();
    if (uri) await connectDb(uri);
    const bar = progressBar('导入中');
    try {
      const outcome = await importRoster(file, new PiiCipher(key), {
        ...opts,
        onProgress: bar.update,
      });
      bar.stop();
      console.log(describeImport(outcome, opts));
      if (outcome.report) {
        const r = outcome.report;
        const count = (o: Record<string, unknown>) =>
          Object.values(o).reduce<number>(
            (n, v) => n + (Array.isArray(v) ? v.length : Number(v)),
            0,
          );
        const detail = `created ${count(r.created)}, updated ${count(r.updated)}`;
        await auditCli('roster.import', file, detail);
      }
      if (outcome.validation.errors.length && !opts.skipInvalid) process.exitCode = 1;
    } finally {
      if (uri) await mongoose.disconnect();
    }
  });

program
  .command('export')
  .description('把当前花名册导出为同样格式的工作簿（含监护人电话，请妥善保管）')
  .argument('<file>', '输出文件 .xlsx；不带扩展名则输出为 CSV 文件夹')
  .action(async (file: string) => {
    const { uri, key } = target();
    await connectDb(uri);
    try {
      await writeRoster(file, await exportRows(new PiiCipher(key)));
      await auditCli('roster.export', file, "includes guardians' personal data");
      console.log(`已导出：${file}`);
    } finally {
      await mongoose.disconnect();
    }
  });

registerCheckWecom(program);

runProgram(program);
