import mongoose, { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** `group_text`: one text to many members in one call (a broadcast batch, ≤ 1,000 userids). */
export type OutboxKind =
  'text' | 'markdown' | 'template_card' | 'update_card' | 'group_text' | 'file';
/**
 * pending → sending → sent, or failed (a permanent error, with `reason`). `merged`: a text
 * travelling in another row's message (`mergedInto`), settled with it.
 */
export type OutboxStatus = 'pending' | 'sending' | 'merged' | 'sent' | 'failed';
/** Statuses of a push not yet delivered. */
export const WAITING: OutboxStatus[] = ['pending', 'sending', 'merged'];

export interface OutboxRow {
  key: string;
  recipient: string;
  kind: OutboxKind;
  /** The push's content, sealed (PiiCipher): JSON of { content } / { card, fallbackText } / … */
  sealed?: string;
  /** Plaintext content of rows written before sealing (read, never written). */
  payload?: unknown;
  /** The API request, sealed, built once at the first attempt: every retry sends this JSON. */
  request?: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  /** While `sending`: past this the sender is presumed dead and the row is retried. */
  leaseUntil?: Date;
  /** The pump that claimed it (a random id per claim). */
  owner?: string;
  lastError?: string;
  /** Why a row failed: unknown_user or rejected. */
  reason?: string;
  invalidUsers?: string[];
  mergedInto?: string;
  /** A group_text row: the broadcast it belongs to (its userids are in the sealed body). */
  group?: string;
  createdAt: Date;
  claimedAt?: Date;
  sentAt?: Date;
  failedAt?: Date;
  /** Listed in an administrators' daily failure notice already. */
  reported?: boolean;
}

/**
 * Every push is written here first and delivered by the pump job, so nothing is lost to a
 * crash or to WeCom being down. `key` is the idempotency key: enqueueing twice sends once.
 */
const outboxSchema = new Schema<OutboxRow>(
  {
    key: { type: String, required: true, unique: true },
    recipient: { type: String, required: true, index: true },
    kind: {
      type: String,
      enum: ['text', 'markdown', 'template_card', 'update_card', 'group_text', 'file'],
      required: true,
    },
    sealed: { type: String },
    payload: { type: Schema.Types.Mixed },
    request: { type: String },
    status: {
      type: String,
      enum: ['pending', 'sending', 'merged', 'sent', 'failed'],
      default: 'pending',
      index: true,
    },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true, index: true },
    leaseUntil: { type: Date },
    owner: { type: String },
    lastError: { type: String },
    reason: { type: String },
    invalidUsers: { type: [String], default: undefined },
    mergedInto: { type: String, index: true },
    group: { type: String, index: true },
    createdAt: { type: Date, required: true },
    claimedAt: { type: Date },
    sentAt: { type: Date, index: true },
    failedAt: { type: Date },
    reported: { type: Boolean },
  },
  { versionKey: false, collection: 'outbox' },
);
outboxSchema.index({ status: 1, createdAt: 1 });

export type OutboxDoc = OutboxRow & { _id: mongoose.Types.ObjectId };
export const OutboxMessage = defineModel<OutboxRow>('OutboxMessage', outboxSchema);

/**
 * The shared per-recipient throttle. WeCom drops a member's 31st message within a minute, so a
 * recipient has `perMinute` slot documents; a send takes a slot last used over a minute ago
 * (one atomic findOneAndUpdate), so all instances together stay under the limit in any
 * 60 seconds. The hourly limit is a per-clock-hour counter taken with a conditional $inc.
 */
export interface SlotRow {
  _id: string;
  recipient: string;
  i: number;
  at: Date;
  /** The batch take that holds it (SharedThrottle.takeMany), to tell its slots apart. */
  by?: string;
}
const slotSchema = new Schema<SlotRow>(
  {
    _id: { type: String, required: true },
    recipient: { type: String, required: true },
    i: { type: Number, required: true },
    at: { type: Date, required: true },
    by: { type: String },
  },
  { versionKey: false, collection: 'outbox_slots' },
);
slotSchema.index({ recipient: 1, at: 1 });
export const OutboxSlot = defineModel<SlotRow>('OutboxSlot', slotSchema);

export interface HourRow {
  _id: string;
  hour: Date;
  n: number;
}
const hourSchema = new Schema<HourRow>(
  {
    _id: { type: String, required: true },
    hour: { type: Date, required: true, index: true },
    n: { type: Number, required: true },
  },
  { versionKey: false, collection: 'outbox_hours' },
);
export const OutboxHour = defineModel<HourRow>('OutboxHour', hourSchema);

/** Alert state shared by the instances (`_id: 'lag'`): one notice per episode of delay. */
export interface AlertRow {
  _id: string;
  active: boolean;
  since?: Date;
}
const alertSchema = new Schema<AlertRow>(
  {
    _id: { type: String, required: true },
    active: { type: Boolean, required: true },
    since: { type: Date },
  },
  { versionKey: false, collection: 'outbox_alerts' },
);
export const OutboxAlert = defineModel<AlertRow>('OutboxAlert', alertSchema);
