import { Command } from 'commander';
import mongoose from 'mongoose';
import { connectDb } from '../db/connect';
import { exportPeriod } from '../reports/export';
import { auditCli } from '../models/audit';
import { runProgram } from './run';
import { readSandboxHandoff } from '../sandbox-handoff';

/** `npm run report -- export 2026-11 月报.xlsx`: a period's district figures for the bureau. */
const program = new Command().name('report').description('区教体局报表导出');

program
  .command('export')
  .description('导出某一期的上报情况和明细（月报：流失生明细；季报：学籍变动）')
  .argument('<period>', '期间：2026-11（月报）或 2026-Q4（季报）')
  .argument('<file>', '输出 .xlsx 文件')
  .action(async (period: string, file: string) => {
    const uri = process.env.MONGODB_URI || readSandboxHandoff()?.mongoUri;
    if (!uri) throw new Error('找不到数据库：请设置 MONGODB_URI，或先用 npm start 启动沙盒。');
    await connectDb(uri);
    try {
      const { schools, rows } = await exportPeriod(period, file);
      await auditCli('report.export', period, file);
      console.log(`已导出 ${period}：${schools} 所学校的上报情况，明细 ${rows} 条 → ${file}`);
    } finally {
      await mongoose.disconnect();
    }
  });

runProgram(program);
