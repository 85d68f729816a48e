import mongoose, { Schema } from 'mongoose';

/**
 * A numbered choice waiting for the teacher's answer ("1", "2"…): the command to re-run with
 * the chosen 学籍号 in place of the ambiguous name. One per user; the latest wins.
 */
const choiceSchema = new Schema(
  {
    userid: { type: String, required: true, unique: true },
    verb: { type: String, required: true },
    tail: { type: String, default: '' },
    options: { type: [String], required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'pending_choices' },
);

export const PendingChoice =
  mongoose.models.PendingChoice ?? mongoose.model('PendingChoice', choiceSchema);
