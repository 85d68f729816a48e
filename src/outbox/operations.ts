import { insertOnce } from '../db/connect';
import type { Clock } from '../lib/clock';
import { logger } from '../lib/logger';
import { outboxAlerts, outboxDepth, outboxOldestPending } from '../lib/metrics';
import { isoDay } from '../lib/time';
import { OutboxAlert, OutboxMessage, WAITING, type OutboxDoc } from './model';
import { SharedThrottle } from './throttle';
import type { Outbox, OutboxSettings } from './outbox';

/**
 * What the administrators (`operations.admins`) and the metrics see of the outbox: the depth
 * and the oldest waiting push, one notice when pushes have waited over `alertAfterMinutes`,
 * a daily notice listing pushes that could not be delivered, and the retention purge.
 */
export class OutboxOperations {
  constructor(
    private readonly outbox: Outbox,
    private readonly settings: OutboxSettings,
    private readonly clock: Clock,
  ) {}

  private get admins(): string[] {
    return this.settings.operations.admins;
  }

  /** When this instance last made sure no alert is left active (an instance may have died). */
  private clearedAt = 0;

  /** Gauges, then the delay alert. Runs after every pump. */
  async observe(now: Date, oldest: OutboxDoc | undefined): Promise<void> {
    await this.measureDepth(now, !oldest);
    const waitedS = oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0;
    outboxOldestPending.set(waitedS);
    const threshold = this.settings.outbox.alertAfterMinutes * 60;
    if (waitedS < threshold) {
      // Checked after an alert of ours, and once a minute for one raised elsewhere.
      if (this.clearedAt && now.getTime() - this.clearedAt < 60_000) return;
      this.clearedAt = now.getTime();
      const over = await OutboxAlert.updateOne(
        { _id: 'lag', active: true },
        { $set: { active: false } },
      );
      if (over.modifiedCount) logger.info('outbox delay over: pushes are delivered again');
      return;
    }
    await this.raiseLag(now, waitedS, oldest!);
  }

  /** When the depth gauges were last counted with nothing waiting. */
  private countedAt = 0;

  /** `baoxue_outbox_depth`; with nothing waiting, only the failed count, once a minute. */
  private async measureDepth(now: Date, idle: boolean): Promise<void> {
    if (idle && now.getTime() - this.countedAt < 60_000) {
      for (const status of WAITING) outboxDepth.set({ status }, 0);
      return;
    }
    this.countedAt = now.getTime();
    const depth = await OutboxMessage.aggregate<{ _id: string; n: number }>([
      { $match: { status: { $in: [...WAITING, 'failed'] } } },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    for (const status of [...WAITING, 'failed'])
      outboxDepth.set({ status }, depth.find((d) => d._id === status)?.n ?? 0);
  }

  /** Once per episode (all instances together): log, metric and a notice to each admin. */
  private async raiseLag(now: Date, waitedS: number, oldest: OutboxDoc): Promise<void> {
    await insertOnce(OutboxAlert, { _id: 'lag', active: false });
    const raised = await OutboxAlert.updateOne(
      { _id: 'lag', active: false },
      { $set: { active: true, since: now } },
    );
    this.clearedAt = 0;
    if (raised.modifiedCount !== 1) return;
    const minutes = Math.floor(waitedS / 60);
    const waiting = await OutboxMessage.countDocuments({ status: { $in: WAITING } });
    outboxAlerts.inc({ kind: 'lag' });
    logger.error(
      { waitedMinutes: minutes, waiting, lastError: oldest.lastError, admins: this.admins.length },
      'pushes delayed: WeCom unreachable or refusing',
    );
    const text = [
      `【保学】推送延迟：有 ${waiting} 条消息未能送达，最早的已等待 ${minutes} 分钟`,
      `（企业微信接口：${oldest.lastError || '无应答'}）。`,
      '系统会一直重试，恢复后按顺序补发，不会丢失。',
      '如持续发生，请检查服务器网络和企业微信应用设置（可信IP、Secret）。',
    ].join('');
    await this.tellAdmins(text, `ops:lag:${now.toISOString()}`);
  }

  /** A text to each administrator, keyed per administrator. */
  private async tellAdmins(text: string, key: string): Promise<void> {
    for (const admin of this.admins)
      await this.outbox.enqueue(admin, { kind: 'text', content: text }, `${key}:${admin}`);
  }

  /**
   * The daily notice (housekeeping): pushes that failed for good, and recipients WeCom did not
   * know, since the last notice. With no administrators configured: a log line and the metric.
   */
  async reportFailures(now: Date): Promise<number> {
    const rows = await OutboxMessage.find({
      reported: { $ne: true },
      $or: [{ status: 'failed' }, { invalidUsers: { $exists: true } }],
    })
      .sort({ createdAt: 1 })
      .limit(1000)
      .lean();
    if (!rows.length) return 0;
    const unknown = new Set<string>();
    const rejected = new Map<string, number>();
    for (const r of rows) {
      if (r.reason === 'unknown_user' && r.kind !== 'group_text') unknown.add(r.recipient);
      else if (r.status === 'failed') {
        const why = (r.lastError ?? '').slice(0, 80);
        rejected.set(why, (rejected.get(why) ?? 0) + 1);
      }
      for (const u of r.invalidUsers ?? []) unknown.add(u);
    }
    outboxAlerts.inc({ kind: 'failed' });
    logger.warn(
      {
        undelivered: rows.length,
        unknownUsers: unknown.size,
        rejected: rows.length - unknown.size,
      },
      'pushes undeliverable since the last notice',
    );
    const text = failureNotice(rows.length, [...unknown], rejected);
    const day = isoDay(now);
    await this.tellAdmins(text, `ops:failed:${day}`);
    await OutboxMessage.updateMany(
      { _id: { $in: rows.map((r) => r._id) } },
      { $set: { reported: true } },
    );
    return rows.length;
  }

  /** Delivered and failed rows past `retention.outboxDays` (their sealed content with them). */
  async purge(now: Date = this.clock.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.retention.outboxDays * 86_400_000);
    const sent = await OutboxMessage.deleteMany({ status: 'sent', sentAt: { $lt: cutoff } });
    const failed = await OutboxMessage.deleteMany({ status: 'failed', failedAt: { $lt: cutoff } });
    await SharedThrottle.purge(now);
    return sent.deletedCount + failed.deletedCount;
  }
}

function failureNotice(total: number, unknown: string[], rejected: Map<string, number>): string {
  const lines = [`【保学】以下推送未能送达（共 ${total} 条），不会再重试：`];
  if (unknown.length) lines.push(`· 企业微信里找不到这些成员：${unknown.slice(0, 50).join('、')}`);
  for (const [why, n] of rejected) lines.push(`· 企业微信拒收 ${n} 条（${why}）`);
  lines.push('请在企业微信通讯录核对这些成员的账号，或更正花名册后请相关老师发「待办」查看。');
  return lines.join('\n');
}
