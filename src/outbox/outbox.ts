import { OutboxMessage, type OutboxDoc } from './model';
import { isDuplicateKey } from '../db/connect';
import {
  splitText,
  TEXT_LIMIT_BYTES,
  WecomApiError,
  type SendResult,
  type WecomClient,
} from '../wecom/client';
import type { Settings } from '../config/settings';
import type { Clock } from '../lib/clock';
import { logger } from '../lib/logger';
import { outboxDepth, pushesTotal, pushLatency } from '../lib/metrics';
import { cardKeys, recordIssuedCard } from '../chat/cards';

export type Push =
  | { kind: 'text'; content: string }
  | { kind: 'markdown'; content: string }
  /** `fallbackText` is sent instead when WeCom refuses the card outright (cards not allowed…). */
  | { kind: 'template_card'; card: Record<string, unknown>; fallbackText?: string }
  | {
      kind: 'update_card';
      userids: string[];
      responseCode: string;
      update: Record<string, unknown>;
    };

/** A 'sending' row older than this belongs to a crashed pump and is retried. */
const STUCK_MS = 2 * 60_000;

export class Outbox {
  constructor(
    private readonly client: WecomClient,
    private readonly settings: Settings['outbox'],
    private readonly clock: Clock,
  ) {}

  /** Writes the push (long text split into pieces); a key seen before is a no-op. */
  async enqueue(recipient: string, push: Push, key: string): Promise<void> {
    const now = this.clock.now();
    if (push.kind === 'template_card' && typeof push.card.task_id === 'string')
      await recordIssuedCard(push.card.task_id, recipient, cardKeys(push.card), now);
    const rows =
      push.kind === 'text'
        ? splitText(push.content).map((content, i, all) => ({
            key: all.length > 1 ? `${key}#${i + 1}` : key,
            payload: { content },
          }))
        : [
            {
              key,
              payload:
                push.kind === 'markdown'
                  ? { content: push.content }
                  : push.kind === 'template_card'
                    ? { card: push.card, fallbackText: push.fallbackText }
                    : {
                        userids: push.userids,
                        responseCode: push.responseCode,
                        update: push.update,
                      },
            },
          ];
    for (const [i, row] of rows.entries()) {
      try {
        // Pieces get increasing createdAt so they are sent in order.
        await OutboxMessage.create({
          ...row,
          recipient,
          kind: push.kind,
          status: 'pending',
          nextAttemptAt: now,
          createdAt: new Date(now.getTime() + i),
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }

  /** One delivery round: due rows, per-recipient throttle, texts merged. Returns rows settled. */
  async pump(): Promise<number> {
    const now = this.clock.now();
    await OutboxMessage.updateMany(
      { status: 'sending', claimedAt: { $lt: new Date(now.getTime() - STUCK_MS) } },
      { $set: { status: 'pending' } },
    );
    const due = await OutboxMessage.find({ status: 'pending', nextAttemptAt: { $lte: now } })
      .sort({ createdAt: 1 })
      .limit(500)
      .lean<OutboxDoc[]>();
    const byRecipient = new Map<string, OutboxDoc[]>();
    for (const row of due)
      byRecipient.set(row.recipient, [...(byRecipient.get(row.recipient) ?? []), row]);
    let settled = 0;
    for (const [recipient, rows] of byRecipient)
      settled += await this.deliverTo(recipient, rows, now);
    await this.updateDepth();
    return settled;
  }

  /** WeCom silently drops more than 30/min or 1000/h to one member: stay under both. */
  private async budget(recipient: string, now: Date): Promise<number> {
    const [minute, hour] = await Promise.all([
      OutboxMessage.countDocuments({
        recipient,
        status: 'sent',
        mergedInto: { $exists: false },
        sentAt: { $gt: new Date(now.getTime() - 60_000) },
      }),
      OutboxMessage.countDocuments({
        recipient,
        status: 'sent',
        mergedInto: { $exists: false },
        sentAt: { $gt: new Date(now.getTime() - 3_600_000) },
      }),
    ]);
    return Math.max(0, Math.min(this.settings.perMinute - minute, this.settings.perHour - hour));
  }

  private async deliverTo(recipient: string, rows: OutboxDoc[], now: Date): Promise<number> {
    let budget = await this.budget(recipient, now);
    let settled = 0;
    for (const batch of mergeTexts(rows)) {
      if (budget <= 0) break;
      const ids = batch.map((r) => r._id);
      const claimed = await OutboxMessage.updateMany(
        { _id: { $in: ids }, status: 'pending' },
        { $set: { status: 'sending', claimedAt: now } },
      );
      if (claimed.modifiedCount !== ids.length) continue; // another pump took part of it
      budget--;
      settled += await this.attempt(batch, now);
    }
    return settled;
  }

  private async attempt(batch: OutboxDoc[], now: Date): Promise<number> {
    const [head, ...rest] = batch;
    const ids = batch.map((r) => r._id);
    try {
      const result = await this.send(head, batch);
      await OutboxMessage.updateOne(
        { _id: head._id },
        {
          $set: {
            status: 'sent',
            sentAt: now,
            attempts: head.attempts + 1,
            ...(result.invalidUsers.length ? { invalidUsers: result.invalidUsers } : {}),
          },
        },
      );
      if (rest.length) {
        await OutboxMessage.updateMany(
          { _id: { $in: rest.map((r) => r._id) } },
          { $set: { status: 'sent', sentAt: now, mergedInto: head.key } },
        );
      }
      if (result.invalidUsers.length) {
        pushesTotal.inc({ outcome: 'partial' });
        logger.warn(
          { key: head.key, invalidUsers: result.invalidUsers.length },
          'push partly failed: unknown recipients',
        );
      } else pushesTotal.inc({ outcome: 'sent' });
      for (const r of batch)
        pushLatency.observe(Math.max(0, (now.getTime() - r.createdAt.getTime()) / 1000));
      return batch.length;
    } catch (err) {
      const attempts = head.attempts + 1;
      const retryable = !(err instanceof WecomApiError) || err.retryable;
      const giveUp = !retryable || attempts >= this.settings.maxAttempts;
      const base = this.settings.backoffBaseSeconds * 1000;
      const rateLimited = err instanceof WecomApiError && err.rateLimited;
      const delay = rateLimited ? Math.max(60_000, base) : base * 2 ** (attempts - 1);
      const fallback = (head.payload as { fallbackText?: string }).fallbackText;
      if (!retryable && head.kind === 'template_card' && fallback) {
        // The card itself was refused (not WeCom being down): deliver its text version instead.
        await OutboxMessage.updateOne(
          { _id: head._id },
          {
            $set: {
              kind: 'text',
              payload: { content: fallback },
              status: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              lastError: `card refused, sent as text: ${String((err as Error).message).slice(0, 400)}`,
            },
          },
        );
        pushesTotal.inc({ outcome: 'card_fallback' });
        logger.warn(
          { key: head.key, error: (err as Error).message },
          'card refused, falling back to text',
        );
        return 0;
      }
      await OutboxMessage.updateMany(
        { _id: { $in: ids } },
        {
          $set: {
            status: giveUp ? 'failed' : 'pending',
            attempts,
            lastError: String((err as Error).message).slice(0, 500),
            nextAttemptAt: new Date(now.getTime() + delay),
          },
        },
      );
      pushesTotal.inc({ outcome: giveUp ? 'failed' : 'retry' });
      if (giveUp)
        logger.error({ key: head.key, attempts, error: (err as Error).message }, 'push given up');
      else
        logger.warn(
          { key: head.key, attempts, error: (err as Error).message },
          'push failed, will retry',
        );
      return giveUp ? batch.length : 0;
    }
  }

  private send(head: OutboxDoc, batch: OutboxDoc[]): Promise<SendResult> {
    const p = head.payload as Record<string, unknown>;
    switch (head.kind) {
      case 'text':
        return this.client.sendText(
          head.recipient,
          batch.map((r) => (r.payload as { content: string }).content).join('\n──────\n'),
        );
      case 'markdown':
        return this.client.sendMarkdown(head.recipient, String(p.content));
      case 'template_card':
        return this.client.sendTemplateCard(head.recipient, p.card as Record<string, unknown>);
      case 'update_card':
        return this.client.updateTemplateCard(
          p.userids as string[],
          String(p.responseCode),
          p.update as Record<string, unknown>,
        );
      default:
        throw new WecomApiError(0, `unknown kind ${head.kind}`, false);
    }
  }

  async updateDepth(): Promise<void> {
    for (const status of ['pending', 'sending', 'failed'] as const) {
      outboxDepth.set({ status }, await OutboxMessage.countDocuments({ status }));
    }
  }
}

const SEPARATOR_BYTES = Buffer.byteLength('\n──────\n');

/** Groups consecutive text rows into batches that fit one 2048-byte message; others alone. */
export function mergeTexts<T extends { kind: string; payload: unknown; attempts: number }>(
  rows: T[],
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size =
      row.kind === 'text' ? Buffer.byteLength((row.payload as { content: string }).content) : 0;
    // Rows that already failed keep their own batch so their attempt count stays honest.
    const mergeable = row.kind === 'text' && row.attempts === 0;
    if (mergeable && current.length && bytes + SEPARATOR_BYTES + size <= TEXT_LIMIT_BYTES) {
      current.push(row);
      bytes += SEPARATOR_BYTES + size;
      continue;
    }
    if (current.length) batches.push(current);
    current = [row];
    bytes = size;
    if (!mergeable) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length) batches.push(current);
  return batches;
}
