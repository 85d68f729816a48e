import { createHash, randomUUID } from 'node:crypto';
import { OutboxMessage, WAITING, type OutboxDoc, type OutboxKind, type OutboxRow } from './model';
import { insertOnce, isDuplicateKey } from '../db/connect';
import {
  splitText,
  TEXT_LIMIT_BYTES,
  WecomApiError,
  type ApiRequest,
  type SendResult,
  type WecomClient,
} from '../wecom/client';
import type { Settings } from '../config/settings';
import type { Clock } from '../lib/clock';
import type { PiiCipher } from '../lib/pii';
import { logger } from '../lib/logger';
import { pushesTotal, pushLatency } from '../lib/metrics';
import { cardKeys, recordIssuedCard } from '../chat/cards';
import { SharedThrottle } from './throttle';
import { OutboxOperations } from './operations';

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
    }
  /** A file (a workbook): kept sealed here, uploaded as temporary media when it is sent. */
  | { kind: 'file'; filename: string; data: Buffer };

/** A row's content as sealed in `sealed`. */
export interface Body {
  content?: string;
  card?: Record<string, unknown>;
  fallbackText?: string;
  userids?: string[];
  responseCode?: string;
  update?: Record<string, unknown>;
  /** group_text: members split off to a later row (at a limit); its row is `<key>/r<hash>`. */
  rest?: string[];
  filename?: string;
  /** A file's bytes, base64. */
  data?: string;
}

/** A member's minute slot frees this long after a send: a deferred group row waits it out. */
const GROUP_DEFER_MS = 61_000;

/**
 * A file's uploaded media is reused by retries while younger than this (WeCom keeps temporary
 * media 3 days); older, the file is uploaded again — long past the 4-hour duplicate window.
 */
const MEDIA_FRESH_MS = 2 * 86_400_000;

export type OutboxSettings = Pick<Settings, 'outbox' | 'operations' | 'retention'>;
export const SEPARATOR = '\n──────\n';

/**
 * Durable pushes. `enqueue` writes the push (sealed: it may carry a guardian's phone); the pump
 * sends what is due, oldest first and in order per recipient, under the shared throttle.
 *
 * - A send's request JSON is built once and stored; every retry sends exactly it, and it carries
 *   WeCom's duplicate check, so a retry after a lost answer (or a crash mid-send) is not
 *   delivered twice.
 * - Transient errors are retried for ever with backoff capped at `maxBackoffSeconds`; after
 *   `alertAfterMinutes` the administrators are told once (OutboxOperations).
 * - Permanent errors (unknown user, a request WeCom refuses) end `failed` with a reason and go
 *   into the administrators' daily notice; a refused card is sent as its text version instead.
 */
export class Outbox {
  readonly ops: OutboxOperations;
  /** Told after every enqueue (the pump loop wakes). */
  onEnqueued?: () => void;
  /** After a pump: when the earliest row it saw waiting is due (or its claim runs out). */
  nextDueAt?: Date;
  private readonly throttle: SharedThrottle;

  constructor(
    private readonly client: WecomClient,
    private readonly settings: OutboxSettings,
    private readonly clock: Clock,
    private readonly cipher: PiiCipher,
  ) {
    this.throttle = new SharedThrottle(settings.outbox.perMinute, settings.outbox.perHour);
    this.ops = new OutboxOperations(this, settings, clock);
  }

  private get cfg(): Settings['outbox'] {
    return this.settings.outbox;
  }

  /** Writes the push (long text split into pieces); a key seen before is a no-op. */
  async enqueue(recipient: string, push: Push, key: string): Promise<void> {
    for (const doc of await this.rowsOf([{ recipient, push, key }]))
      await insertOnce(OutboxMessage, doc);
    this.onEnqueued?.();
  }

  /**
   * The rows of some pushes, not yet written: a long text in pieces (`<key>#n`), a card's
   * TaskId remembered as issued, increasing createdAt so they are sent in the order given.
   */
  private async rowsOf(
    items: { recipient: string; push: Push; key: string; notBefore?: Date }[],
  ): Promise<OutboxRow[]> {
    const now = this.clock.now();
    const docs: OutboxRow[] = [];
    for (const { recipient, push, key, notBefore } of items) {
      if (push.kind === 'template_card' && typeof push.card.task_id === 'string')
        await recordIssuedCard(push.card.task_id, recipient, cardKeys(push.card), now);
      const rows: { key: string; body: Body }[] =
        push.kind === 'text'
          ? splitText(push.content).map((content, i, all) => ({
              key: all.length > 1 ? `${key}#${i + 1}` : key,
              body: { content },
            }))
          : [{ key, body: bodyOf(push) }];
      for (const row of rows)
        docs.push({
          key: row.key,
          recipient,
          kind: push.kind,
          sealed: this.cipher.seal(JSON.stringify(row.body)),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: notBefore && notBefore > now ? notBefore : now,
          createdAt: new Date(now.getTime() + docs.length),
        });
    }
    return docs;
  }

  /**
   * Writes many pushes in one insertMany (issue #11: round trips). Keys seen before are still
   * no-ops: on a duplicate key the rows are written one by one, duplicates skipped (MongoDB
   * writes the others of an unordered batch anyway; the embedded server may refuse it whole).
   */
  async enqueueMany(
    items: { recipient: string; push: Push; key: string; notBefore?: Date }[],
  ): Promise<void> {
    const docs = await this.rowsOf(items);
    if (!docs.length) return;
    try {
      await OutboxMessage.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      for (const doc of docs) await insertOnce(OutboxMessage, doc);
    }
    this.onEnqueued?.();
  }

  /**
   * One text to many members in one message/send call (a broadcast batch, ≤ 1,000 userids):
   * a single row, sealed like every push, with the same key, lease, retry and duplicate check.
   * `group` names the broadcast the row belongs to.
   */
  async enqueueGroup(
    group: string,
    userids: string[],
    content: string,
    key: string,
    at = this.clock.now(),
  ): Promise<void> {
    await insertOnce(OutboxMessage, {
      key,
      recipient: `group:${key}`,
      kind: 'group_text',
      group,
      sealed: this.cipher.seal(JSON.stringify({ content, userids })),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      createdAt: this.clock.now(),
    });
  }

  /** The content of a row (sealed, or plaintext from before sealing). */
  body(row: Pick<OutboxDoc, 'sealed' | 'payload'>): Body {
    if (row.sealed) return JSON.parse(this.cipher.open(row.sealed)) as Body;
    return (row.payload ?? {}) as Body;
  }

  /** One delivery round: stale claims back, then due rows per recipient. Returns rows settled. */
  async pump(): Promise<number> {
    const now = this.clock.now();
    const waiting = () =>
      OutboxMessage.find({ status: { $in: ['pending', 'sending'] } })
        .sort({ createdAt: 1 })
        .limit(500)
        .lean();
    let queue = await waiting();
    if (queue.some((r) => r.status === 'sending' && this.stale(r, now))) {
      await this.recoverStale(now);
      queue = await waiting();
    }
    let settled = 0;
    for (const [recipient, rows] of dueInOrder(queue, now))
      settled += await this.deliverTo(recipient, rows, now);
    this.nextDueAt = nextDue(queue, this.cfg.sendLeaseSeconds);
    // The oldest waiting row heads the queue (merged rows are younger than their head).
    const [oldest] = settled ? await waiting().limit(1) : queue;
    await this.ops.observe(now, oldest);
    return settled;
  }

  private stale(row: OutboxDoc, now: Date): boolean {
    if (row.leaseUntil) return row.leaseUntil < now;
    const legacy = now.getTime() - this.cfg.sendLeaseSeconds * 1000;
    return !row.claimedAt || row.claimedAt.getTime() < legacy;
  }

  /** Rows claimed by a pump that died: back to pending (their stored request is kept). */
  private async recoverStale(now: Date): Promise<void> {
    const legacy = new Date(now.getTime() - this.cfg.sendLeaseSeconds * 1000);
    await OutboxMessage.updateMany(
      {
        status: 'sending',
        $or: [
          { leaseUntil: { $lt: now } },
          { leaseUntil: { $exists: false }, claimedAt: { $lt: legacy } },
        ],
      },
      { $set: { status: 'pending' } },
    );
  }

  private async deliverTo(recipient: string, rows: OutboxDoc[], now: Date): Promise<number> {
    let settled = 0;
    if (rows[0].kind === 'group_text') {
      for (const row of rows) settled += await this.deliverGroup(row, now);
      return settled;
    }
    const items = rows.map((row) => {
      const body = this.body(row);
      // A row with a stored request was tried before: it goes alone, exactly as first sent.
      return { row, body, kind: row.kind, payload: body, attempts: row.request ? 1 : 0 };
    });
    for (const batch of mergeTexts(items)) {
      const slot = await this.throttle.take(recipient, now);
      if (!slot) break;
      const claimed = await this.claim(batch, now);
      if (!claimed) {
        // Another pump has it: leave the rest of this recipient to it, so the order holds.
        await slot.giveBack();
        break;
      }
      const outcome = await this.attempt(claimed, now);
      settled += outcome.settled;
      if (!outcome.next) break;
    }
    return settled;
  }

  /**
   * A group row: a slot for every member first (SharedThrottle.takeMany). A fresh row sends to
   * those with a slot and splits the others off to a row a minute later (written as `rest` in
   * the row before the new row, so a crash in between loses nobody); a retry goes exactly as
   * first sent, so it waits until every member has a slot.
   */
  private async deliverGroup(head: OutboxDoc, now: Date): Promise<number> {
    let row = head;
    let body = this.body(row);
    if (body.rest?.length) await this.splitOff(row, body, body.rest, now);
    const users = [...new Set(body.userids ?? [])];
    const slots = await this.throttle.takeMany(users, now);
    const all = slots.granted.length === users.length;
    if (!all && (row.request || !slots.granted.length)) {
      await slots.giveBack(slots.granted);
      await OutboxMessage.updateOne(
        { _id: row._id, status: 'pending' },
        { $set: { nextAttemptAt: new Date(now.getTime() + GROUP_DEFER_MS) } },
      );
      return 0;
    }
    if (!all) {
      const granted = new Set(slots.granted);
      const rest = users.filter((u) => !granted.has(u));
      body = { content: body.content, userids: slots.granted, rest };
      const sealed = this.cipher.seal(JSON.stringify(body));
      const res = await OutboxMessage.updateOne(
        { _id: row._id, status: 'pending', sealed: row.sealed },
        { $set: { sealed } },
      );
      if (res.modifiedCount !== 1) {
        await slots.giveBack(slots.granted);
        return 0;
      }
      row = { ...row, sealed };
      await this.splitOff(row, body, rest, now);
    }
    const claimed = await this.claim([{ row, body }], now);
    if (!claimed) {
      await slots.giveBack(slots.granted);
      return 0;
    }
    return (await this.attempt(claimed, now)).settled;
  }

  /**
   * The members a group row left for later, as their own row, keyed by the row and the members
   * (`<key>/r<hash>`): writing it again is a no-op, a second split of the same row is a new row.
   */
  private async splitOff(row: OutboxDoc, body: Body, rest: string[], now: Date): Promise<void> {
    const at = new Date(now.getTime() + GROUP_DEFER_MS);
    const tag = createHash('sha1').update(rest.join('|')).digest('hex').slice(0, 10);
    await this.enqueueGroup(row.group ?? '', rest, body.content ?? '', `${row.key}/r${tag}`, at);
  }

  /**
   * Claims the batch's rows and fixes its request (built once, stored sealed on the head).
   * `size`: rows in a fresh message; 0 for a retry of a stored request.
   */
  private async claim(
    batch: { row: OutboxDoc; body: Body }[],
    now: Date,
  ): Promise<{ head: OutboxDoc; request: ApiRequest; size: number } | undefined> {
    const ids = batch.map((b) => b.row._id);
    const owner = randomUUID();
    const leaseUntil = new Date(now.getTime() + this.cfg.sendLeaseSeconds * 1000);
    const head = batch[0].row;
    const fresh = head.request ? undefined : this.build(head, batch);
    // A single row takes its request with the claim; a merged batch's head gets it after.
    const sealed =
      fresh && batch.length === 1 ? { request: this.cipher.seal(JSON.stringify(fresh)) } : {};
    const res = await OutboxMessage.updateMany(
      { _id: { $in: ids }, status: 'pending' },
      { $set: { status: 'sending', claimedAt: now, leaseUntil, owner, ...sealed } },
    );
    if (res.modifiedCount !== ids.length) {
      await OutboxMessage.updateMany(
        { _id: { $in: ids }, status: 'sending', owner },
        { $set: { status: 'pending' } },
      );
      return undefined;
    }
    if (!fresh) return { head, request: JSON.parse(this.cipher.open(head.request!)), size: 0 };
    if (batch.length > 1) {
      await this.storeRequest(head, fresh);
      await OutboxMessage.updateMany(
        { _id: { $in: ids.slice(1) } },
        { $set: { status: 'merged', mergedInto: head.key } },
      );
    }
    return { head, request: fresh, size: batch.length };
  }

  private build(head: OutboxDoc, batch: { row: OutboxDoc; body: Body }[]): ApiRequest {
    const b = batch[0].body;
    const to = head.recipient;
    switch (head.kind as OutboxKind) {
      case 'text':
        return this.client.message(to, {
          msgtype: 'text',
          text: { content: batch.map((x) => x.body.content ?? '').join(SEPARATOR) },
        });
      case 'markdown':
        return this.client.message(to, { msgtype: 'markdown', markdown: { content: b.content } });
      case 'template_card':
        return this.client.message(to, { msgtype: 'template_card', template_card: b.card });
      case 'update_card':
        return this.client.cardUpdate(b.userids ?? [], b.responseCode ?? '', b.update ?? {});
      case 'group_text':
        return this.client.message((b.userids ?? []).join('|'), {
          msgtype: 'text',
          text: { content: b.content },
        });
      case 'file':
        // The media is uploaded at send time (withMedia): none yet.
        return this.client.fileMessage(to, '');
    }
  }

  /**
   * A file is uploaded when it is sent, not when enqueued, so its media is fresh. The request
   * naming the media is stored: a retry while the media is fresh sends the identical JSON
   * (WeCom's duplicate check holds); an upload that failed is simply tried again.
   */
  private async withMedia(head: OutboxDoc, request: ApiRequest, now: Date): Promise<ApiRequest> {
    if (head.kind !== 'file') return request;
    const at = request.mediaAt ? Date.parse(request.mediaAt) : Number.NaN;
    if (now.getTime() - at < MEDIA_FRESH_MS) return request;
    const body = this.body(head);
    const data = Buffer.from(body.data ?? '', 'base64');
    const mediaId = await this.client.uploadFile(body.filename ?? 'file', data);
    const fresh = {
      ...this.client.fileMessage(head.recipient, mediaId),
      mediaAt: now.toISOString(),
    };
    await this.storeRequest(head, fresh);
    return fresh;
  }

  /** Keeps the request sealed on the row: a retry sends the identical JSON. */
  private async storeRequest(head: OutboxDoc, request: ApiRequest): Promise<void> {
    await OutboxMessage.updateOne(
      { _id: head._id },
      { $set: { request: this.cipher.seal(JSON.stringify(request)) } },
    );
  }

  /** Sends the claimed request; `next` says whether later rows of the recipient may go now. */
  private async attempt(
    c: { head: OutboxDoc; request: ApiRequest; size: number },
    now: Date,
  ): Promise<{ settled: number; next: boolean }> {
    let result: SendResult;
    try {
      result = await this.client.deliver(await this.withMedia(c.head, c.request, now));
    } catch (err) {
      return this.failed(c.head, err, now);
    }
    const { head } = c;
    const invalid = result.invalidUsers;
    if (head.kind !== 'update_card' && invalid.includes(head.recipient)) {
      return { settled: await this.fail(head, 'unknown_user', 'invaliduser', now), next: true };
    }
    // Followers first: if we die between the two writes, the head is re-sent (and deduplicated).
    // A fresh single row has none; a retry (size 0) may have some.
    const followers =
      c.size === 1
        ? { modifiedCount: 0 }
        : await this.settleFollowers(head, { status: 'sent', sentAt: now });
    await OutboxMessage.updateOne(
      { _id: head._id },
      {
        $set: {
          status: 'sent',
          sentAt: now,
          attempts: head.attempts + 1,
          ...(invalid.length ? { invalidUsers: invalid } : {}),
        },
      },
    );
    pushesTotal.inc({ outcome: invalid.length ? 'partial' : 'sent' });
    if (invalid.length)
      logger.warn({ key: head.key, invalidUsers: invalid.length }, 'push partly undelivered');
    pushLatency.observe(Math.max(0, (now.getTime() - head.createdAt.getTime()) / 1000));
    return { settled: 1 + followers.modifiedCount, next: true };
  }

  private async failed(head: OutboxDoc, err: unknown, now: Date) {
    const e =
      err instanceof WecomApiError
        ? err
        : new WecomApiError(-4, String((err as Error).message), 'transient');
    const message = e.message.slice(0, 300);
    if (e.retryable) {
      await this.retryLater(head, e, now);
      return { settled: 0, next: false };
    }
    const fallback = head.kind === 'template_card' ? this.body(head).fallbackText : undefined;
    if (fallback && e.kind === 'rejected') {
      // The card itself was refused (not WeCom being down): deliver its text version instead.
      await OutboxMessage.updateOne(
        { _id: head._id },
        {
          $set: {
            kind: 'text',
            sealed: this.cipher.seal(JSON.stringify({ content: fallback })),
            request: null,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            lastError: `card refused, sent as text: ${message}`,
          },
        },
      );
      pushesTotal.inc({ outcome: 'card_fallback' });
      logger.warn({ key: head.key, error: message }, 'card refused, falling back to text');
      return { settled: 0, next: false };
    }
    const reason = e.kind === 'unknownUser' ? 'unknown_user' : 'rejected';
    return { settled: await this.fail(head, reason, message, now), next: true };
  }

  private async retryLater(head: OutboxDoc, e: WecomApiError, now: Date): Promise<void> {
    const attempts = head.attempts + 1;
    const base = this.cfg.backoffBaseSeconds * 1000;
    const max = this.cfg.maxBackoffSeconds * 1000;
    let delay = Math.min(max, base * 2 ** Math.min(attempts - 1, 30));
    if (e.rateLimited) delay = Math.max(delay, Math.min(60_000, max));
    await OutboxMessage.updateOne(
      { _id: head._id },
      {
        $set: {
          status: 'pending',
          attempts,
          lastError: e.message.slice(0, 300),
          nextAttemptAt: new Date(now.getTime() + delay),
        },
      },
    );
    pushesTotal.inc({ outcome: 'retry' });
    logger.warn(
      { key: head.key, attempts, errcode: e.errcode, kind: e.kind, retryInS: delay / 1000 },
      'push failed, will retry',
    );
  }

  /** A permanent failure: the row (and texts merged into it) `failed` with a reason. */
  private async fail(head: OutboxDoc, reason: string, error: string, now: Date): Promise<number> {
    const set = { status: 'failed', reason, failedAt: now, lastError: error };
    const followers = await this.settleFollowers(head, set);
    await OutboxMessage.updateOne(
      { _id: head._id },
      { $set: { ...set, attempts: head.attempts + 1 } },
    );
    pushesTotal.inc({ outcome: 'failed' });
    logger.error({ key: head.key, reason, error }, 'push undeliverable');
    return 1 + followers.modifiedCount;
  }

  /** The texts merged into `head` (sent as one request) share its outcome. */
  private settleFollowers(head: OutboxDoc, set: Record<string, unknown>) {
    return OutboxMessage.updateMany({ mergedInto: head.key, status: 'merged' }, { $set: set });
  }

  /** Number of rows not yet delivered (for tests and the sandbox). */
  async waiting(): Promise<number> {
    return OutboxMessage.countDocuments({ status: { $in: WAITING } });
  }
}

function bodyOf(push: Exclude<Push, { kind: 'text' }>): Body {
  // (group_text rows are written by enqueueGroup.)
  switch (push.kind) {
    case 'markdown':
      return { content: push.content };
    case 'template_card':
      return { card: push.card, fallbackText: push.fallbackText };
    case 'update_card':
      return { userids: push.userids, responseCode: push.responseCode, update: push.update };
    case 'file':
      return { filename: push.filename, data: push.data.toString('base64') };
  }
}

/**
 * Per recipient, the rows that may go now: from the oldest, up to the first that is not due
 * (backing off) or is being sent by another pump, so a recipient's pushes arrive in order.
 */
export function dueInOrder(queue: OutboxDoc[], now: Date): Map<string, OutboxDoc[]> {
  const out = new Map<string, OutboxDoc[]>();
  const blocked = new Set<string>();
  for (const row of queue) {
    if (blocked.has(row.recipient)) continue;
    if (row.status !== 'pending' || row.nextAttemptAt > now) {
      blocked.add(row.recipient);
      continue;
    }
    out.set(row.recipient, [...(out.get(row.recipient) ?? []), row]);
  }
  return out;
}

const SEPARATOR_BYTES = Buffer.byteLength(SEPARATOR);

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
    // Rows tried before keep their own batch: a retry sends exactly the request first sent.
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

/** The earliest time a waiting row is due: a pending row's next attempt, a claim's lease end. */
function nextDue(queue: OutboxDoc[], leaseSeconds: number): Date | undefined {
  let best: number | undefined;
  for (const r of queue) {
    const at =
      r.status === 'pending'
        ? r.nextAttemptAt.getTime()
        : (r.leaseUntil ?? new Date((r.claimedAt?.getTime() ?? 0) + leaseSeconds * 1000)).getTime();
    if (best === undefined || at < best) best = at;
  }
  return best === undefined ? undefined : new Date(best);
}
