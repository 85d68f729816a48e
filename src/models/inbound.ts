import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** A WeCom delivery as claimed. */
export interface InboundRow {
  key: string;
  from: string;
  kind: string;
  content?: string;
  receivedAt: Date;
}

/** One row per WeCom delivery; the unique key turns WeCom's retries into no-ops. */
const inboundSchema = new Schema<InboundRow>(
  {
    key: { type: String, required: true, unique: true },
    from: { type: String, required: true },
    kind: { type: String, required: true },
    content: { type: String },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'inbound' },
);

export const InboundDelivery = defineModel<InboundRow>('InboundDelivery', inboundSchema);
