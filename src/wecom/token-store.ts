import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

interface TokenRow {
  _id: string;
  token: string;
  expiresAt: Date;
}

/** Access tokens cached in MongoDB so several instances share one token per corp+agent. */
export interface TokenStore {
  get(key: string, now: Date): Promise<string | undefined>;
  put(key: string, token: string, expiresAt: Date): Promise<void>;
  invalidate(key: string, token: string): Promise<void>;
}

const tokenSchema = new Schema<TokenRow>(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'wecom_tokens' },
);

export const WecomToken = defineModel<TokenRow>('WecomToken', tokenSchema);

export const mongoTokenStore: TokenStore = {
  async get(key, now) {
    const doc = await WecomToken.findById(key).lean();
    return doc && doc.expiresAt > now ? doc.token : undefined;
  },
  async put(key, token, expiresAt) {
    await WecomToken.updateOne({ _id: key }, { $set: { token, expiresAt } }, { upsert: true });
  },
  async invalidate(key, token) {
    // Only the token we saw fail: another instance may already have stored a fresh one.
    await WecomToken.deleteOne({ _id: key, token });
  },
};
