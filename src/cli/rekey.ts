import { Command } from 'commander';
import mongoose from 'mongoose';
import { connectDb } from '../db/connect';
import { modelCollections, rekey } from '../lib/rekey';
// Every model, so every collection is scanned (sealed fields are found by their format).
import '../features';
import '../outbox/model';
import '../models/inbound';
import '../jobs/scheduler';

/**
 * `npm run rekey -- --from OLDHEX --to NEWHEX`: re-encrypts every sealed value (guardians'
 * phones and addresses, outbox contents, any field sealed with PiiCipher) under the new data
 * key. Safe to run while the app runs with BAOXUE_DATA_KEY=new and BAOXUE_DATA_KEY_OLD=old, and
 * safe to run twice.
 */
const HEX = /^[0-9a-f]{64}$/i;

const program = new Command()
  .name('rekey')
  .description('数据密钥轮换：把所有加密字段从旧密钥重新加密到新密钥')
  .option('--from <hex>', '旧密钥（64 位十六进制；默认取 BAOXUE_DATA_KEY_OLD）')
  .option('--to <hex>', '新密钥（64 位十六进制；默认取 BAOXUE_DATA_KEY）')
  .option('--batch <n>', '每批文档数', '500')
  .action(async (opts: { from?: string; to?: string; batch: string }) => {
    const from = opts.from ?? process.env.BAOXUE_DATA_KEY_OLD;
    const to = opts.to ?? process.env.BAOXUE_DATA_KEY;
    const uri = process.env.MONGODB_URI;
    if (!uri || !from || !to || !HEX.test(from) || !HEX.test(to)) {
      console.error(
        '用法：MONGODB_URI=… npm run rekey -- --from 旧密钥 --to 新密钥（各 64 位十六进制）',
      );
      process.exitCode = 2;
      return;
    }
    await connectDb(uri);
    try {
      const counts = await rekey(from, to, modelCollections(), Number(opts.batch) || 500);
      console.table(counts.filter((c) => c.resealed + c.current + c.unreadable + c.conflicts > 0));
      const total = (k: 'resealed' | 'current' | 'unreadable' | 'conflicts') =>
        counts.reduce((n, c) => n + c[k], 0);
      console.log(
        `重新加密 ${total('resealed')} 项，已是新密钥 ${total('current')} 项，` +
          `无法解密 ${total('unreadable')} 项，并发修改 ${total('conflicts')} 个文档。`,
      );
      if (total('unreadable')) {
        console.error('有数据两个密钥都打不开：请确认 --from 是否正确。数据未改动。');
        process.exitCode = 1;
      } else if (total('conflicts')) {
        console.error('有文档在轮换时被修改：请再运行一次本命令。');
        process.exitCode = 1;
      }
    } finally {
      await mongoose.disconnect();
    }
  });

program.parseAsync().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
