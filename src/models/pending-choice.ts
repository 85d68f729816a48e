import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

export interface PendingChoiceRow {
  userid: string;
  verb: string;
  tail: string;
  options: string[];
  expiresAt: Date;
}

/**
 * A numbered choice waiting for the teacher's answer ("1", "2"…): the command to re-run with
 * the chosen 学籍号 in place of the ambiguous name. One per user; the latest wins.
 */
const choiceSchema = new Schema<PendingChoiceRow>(
  {
    userid: { type: String, required: true, unique: true },
    verb: { type: String, required: true },
    tail: { type: String, default: '' },
    options: { type: [String], required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'pending_choices' },
);

export const PendingChoice = defineModel<PendingChoiceRow>('PendingChoice', choiceSchema);
