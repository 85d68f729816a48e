import mongoose, { Schema } from 'mongoose';

/** One row per WeCom delivery; the unique key turns WeCom's retries into no-ops. */
const inboundSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    from: { type: String, required: true },
    kind: { type: String, required: true },
    content: { type: String },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'inbound' },
);

export const InboundDelivery =
  mongoose.models.InboundDelivery ?? mongoose.model('InboundDelivery', inboundSchema);
