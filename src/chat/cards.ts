import { IssuedCard, type IssuedCardKey } from '../models/issued-card';
import { insertOnce } from '../db/connect';

/**
 * Card events are bound to their card (issue #10 item 8): a click counts only if that TaskId
 * was issued to that member and the button is one of its keys; the first non-repeatable click
 * uses the card up (a conditional update), so a double click runs nothing twice.
 */
export type CardKeyInput = string | { key: string; repeatable?: boolean };

/** Remembers a card as issued (called when the outbox takes it); issuing twice is a no-op. */
export async function recordIssuedCard(
  taskId: string,
  userid: string,
  keys: CardKeyInput[],
  now = new Date(),
): Promise<void> {
  const normalized: IssuedCardKey[] = keys.map((k) =>
    typeof k === 'string'
      ? { key: k, repeatable: false }
      : { key: k.key, repeatable: k.repeatable === true },
  );
  await insertOnce(IssuedCard, { taskId, userid, keys: normalized, issuedAt: now, usedAt: null });
}

/** The button keys of a WeCom template card (`button_list[].key`, or a single `card_action`). */
export function cardKeys(card: Record<string, unknown>): string[] {
  const buttons = Array.isArray(card.button_list) ? (card.button_list as unknown[]) : [];
  return buttons
    .map((b) => (b && typeof b === 'object' ? (b as { key?: unknown }).key : undefined))
    .filter((k): k is string => typeof k === 'string' && k.length > 0);
}

/** `claimed`: this click used the card up; `free`: a repeatable button, nothing claimed. */
export type CardClaim = 'claimed' | 'free' | 'foreign' | 'used';

/**
 * Checks a click against the issued card and, unless repeatable, claims it. A claimed card is
 * released with `releaseCard` when the handler fails, so WeCom's retry can try again.
 */
export async function claimCardClick(
  taskId: string,
  userid: string,
  key: string,
  now: Date,
  handlerSaysRepeatable = false,
): Promise<CardClaim> {
  const card = await IssuedCard.findOne({ taskId, userid }).lean();
  const button = card?.keys.find((k) => k.key === key);
  if (!card || !button) return 'foreign';
  if (button.repeatable || handlerSaysRepeatable) return 'free';
  const res = await IssuedCard.updateOne(
    { taskId, userid, usedAt: null },
    { $set: { usedAt: now } },
  );
  return res.modifiedCount === 1 ? 'claimed' : 'used';
}

export async function releaseCard(taskId: string, userid: string): Promise<void> {
  await IssuedCard.updateOne({ taskId, userid }, { $set: { usedAt: null } });
}
