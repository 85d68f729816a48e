import mongoose, { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { Audience } from '../domain/broadcast';

/**
 * draft (preview shown, nothing sent) → sending (batches in the outbox) → done; or cancelled,
 * or expired (a draft nobody confirmed in time).
 */
export type BroadcastStatus = 'draft' | 'cancelled' | 'expired' | 'sending' | 'done';
/** chat: 通知; urge: 催报; scheduled: a scheduled notice in the bureau's name; web: the dashboard. */
export type BroadcastOrigin = 'chat' | 'urge' | 'scheduled' | 'web';

/**
 * A notice to many (issue #12): kept whole — who sent what to whom (the audience, the count
 * and the recipients' userids) and when, and how delivery went.
 */
export interface BroadcastRow {
  sender: string;
  senderName: string;
  origin: BroadcastOrigin;
  /** Scheduled notices: which one (`monthlyReminder` …) and its period. */
  notice?: string;
  audience: Audience;
  /** The audience in words, with school names (as the sender saw it in the preview). */
  audienceText: string;
  /** What the sender typed; `text` is what recipients get (with the sender's signature). */
  content: string;
  text: string;
  /** Counted for the preview; `recipients` are read at 发送. */
  count: number;
  recipients?: string[];
  status: BroadcastStatus;
  createdAt: Date;
  decidedAt?: Date;
  /** Batches written to the outbox (so a crash before that is redone by the settle sweep). */
  queued?: boolean;
  batches?: number;
  /** While sending: when the settle sweep next looks at its outbox rows. */
  checkAt?: Date | null;
  delivered?: number;
  failed?: number;
  invalid?: string[];
  finishedAt?: Date;
}

const broadcastSchema = new Schema<BroadcastRow>(
  {
    sender: { type: String, required: true, index: true },
    senderName: { type: String, required: true },
    origin: { type: String, enum: ['chat', 'urge', 'scheduled', 'web'], required: true },
    notice: { type: String },
    audience: { type: Schema.Types.Mixed, required: true },
    audienceText: { type: String, required: true },
    content: { type: String, required: true },
    text: { type: String, required: true },
    count: { type: Number, required: true },
    recipients: { type: [String], default: undefined },
    status: {
      type: String,
      enum: ['draft', 'cancelled', 'expired', 'sending', 'done'],
      required: true,
      index: true,
    },
    createdAt: { type: Date, required: true, index: true },
    decidedAt: { type: Date },
    queued: { type: Boolean },
    batches: { type: Number },
    checkAt: { type: Date, default: null, index: true },
    delivered: { type: Number },
    failed: { type: Number },
    invalid: { type: [String], default: undefined },
    finishedAt: { type: Date },
  },
  { versionKey: false, collection: 'broadcasts' },
);

export type BroadcastDoc = BroadcastRow & { _id: mongoose.Types.ObjectId };
export const Broadcast = defineModel<BroadcastRow>('Broadcast', broadcastSchema);

/** A scheduled notice as edited in chat (定时通知 修改/暂停/恢复); config gives the rest. */
export interface NoticeSettingRow {
  notice: string;
  template?: string;
  enabled?: boolean;
  updatedBy: string;
  updatedAt: Date;
}

const noticeSettingSchema = new Schema<NoticeSettingRow>(
  {
    notice: { type: String, required: true, unique: true },
    template: { type: String },
    enabled: { type: Boolean },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'notice_settings' },
);

export const NoticeSetting = defineModel<NoticeSettingRow>('NoticeSetting', noticeSettingSchema);
