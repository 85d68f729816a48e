import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from '../db/model';

/**
 * Every push is written here first and delivered by the pump job, so nothing is lost to a
 * crash or to WeCom being down. `key` is the idempotency key: enqueueing twice sends once.
 */
const outboxSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    recipient: { type: String, required: true, index: true },
    kind: {
      type: String,
      enum: ['text', 'markdown', 'template_card', 'update_card'],
      required: true,
    },
    payload: { type: Schema.Types.Mixed, required: true },
    status: {
      type: String,
      enum: ['pending', 'sending', 'sent', 'failed'],
      default: 'pending',
      index: true,
    },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true, index: true },
    lastError: { type: String },
    invalidUsers: { type: [String], default: undefined },
    mergedInto: { type: String },
    createdAt: { type: Date, required: true },
    claimedAt: { type: Date },
    sentAt: { type: Date, index: true },
  },
  { versionKey: false, collection: 'outbox' },
);

export type OutboxDoc = InferSchemaType<typeof outboxSchema> & { _id: mongoose.Types.ObjectId };
export const OutboxMessage = defineModel('OutboxMessage', outboxSchema);
