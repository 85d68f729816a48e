import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** One button of an issued card; `repeatable` buttons (e.g. 查看详情) do not use the card up. */
export interface IssuedCardKey {
  key: string;
  repeatable: boolean;
}

/** A template card as issued to one member: its clicks are accepted from them only. */
export interface IssuedCardRow {
  taskId: string;
  userid: string;
  keys: IssuedCardKey[];
  issuedAt: Date;
  /** Set by the first (non-repeatable) click; null while the card is unused. */
  usedAt?: Date | null;
}

const issuedCardSchema = new Schema<IssuedCardRow>(
  {
    taskId: { type: String, required: true },
    userid: { type: String, required: true },
    keys: {
      type: [{ _id: false, key: { type: String, required: true }, repeatable: Boolean }],
      required: true,
    },
    issuedAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'issued_cards' },
);
issuedCardSchema.index({ taskId: 1, userid: 1 }, { unique: true });

export const IssuedCard = defineModel<IssuedCardRow>('IssuedCard', issuedCardSchema);
