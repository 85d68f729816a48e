import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

export type InboundStatus = 'received' | 'done' | 'failed';

/**
 * A WeCom delivery as claimed. No message content is kept: a retry carries the message again,
 * so the row needs only what identifies it (key, a hash and the length of the content).
 */
export interface InboundRow {
  key: string;
  from: string;
  kind: string;
  status: InboundStatus;
  /** Until then the claimant is handling it; a retry after it (or after `failed`) takes over. */
  leaseUntil: Date;
  attempts: number;
  contentSha256?: string;
  contentLength?: number;
  receivedAt: Date;
  finishedAt?: Date;
}

/** One row per WeCom delivery; the unique key turns WeCom's retries into no-ops. */
const inboundSchema = new Schema<InboundRow>(
  {
    key: { type: String, required: true, unique: true },
    from: { type: String, required: true },
    kind: { type: String, required: true },
    status: { type: String, required: true, enum: ['received', 'done', 'failed'] },
    leaseUntil: { type: Date, required: true },
    attempts: { type: Number, required: true },
    contentSha256: { type: String },
    contentLength: { type: Number },
    receivedAt: { type: Date, required: true, index: true },
    finishedAt: { type: Date },
  },
  { versionKey: false, collection: 'inbound' },
);

export const InboundDelivery = defineModel<InboundRow>('InboundDelivery', inboundSchema);
