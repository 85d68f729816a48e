import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/**
 * The pages of a long chat reply still to be read (「下一页」): one row per user, the latest
 * long reply wins. `pages` is sealed (lists name students). Expires after `expiresAt`.
 */
export interface PagedReplyRow {
  userid: string;
  /** Sealed JSON array of the remaining pages, footers included. */
  pages: string;
  /** Index into the sealed array of the next page to send. */
  next: number;
  total: number;
  expiresAt: Date;
}

const pagedSchema = new Schema<PagedReplyRow>(
  {
    userid: { type: String, required: true, unique: true },
    pages: { type: String, required: true },
    next: { type: Number, required: true },
    total: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'paged_replies' },
);

export const PagedReply = defineModel<PagedReplyRow>('PagedReply', pagedSchema);
