import { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import { logger } from '../lib/logger';
import { userInfo } from 'node:os';

/** Append-only: every change and every view of a minor's personal data, and every refusal. */
const auditSchema = new Schema<AuditInput>(
  {
    actor: { type: String, required: true, index: true },
    action: { type: String, required: true },
    target: { type: String },
    channel: { type: String, enum: ['wecom', 'cli', 'job', 'sandbox', 'web'], required: true },
    outcome: { type: String, enum: ['ok', 'refused'], default: 'ok' },
    detail: { type: String },
    at: { type: Date, required: true, index: true },
  },
  { versionKey: false, collection: 'audit' },
);

export const AuditEntry = defineModel<AuditInput>('AuditEntry', auditSchema);

export interface AuditInput {
  actor: string;
  action: string;
  target?: string;
  channel: 'wecom' | 'cli' | 'job' | 'sandbox' | 'web';
  outcome?: 'ok' | 'refused';
  detail?: string;
  at: Date;
}

export async function audit(entry: AuditInput): Promise<void> {
  await AuditEntry.create(entry);
  // Refusals also go to the log (who and what, never the student or any personal data).
  if (entry.outcome === 'refused')
    logger.info(
      { actor: entry.actor, action: entry.action, channel: entry.channel },
      'action refused',
    );
}

/** What someone did through chat (`ctx` is the command's ChatContext), about a target. */
export function auditChat(
  ctx: { actor: { userid: string }; now: Date },
  action: string,
  target?: string,
  detail?: string,
): Promise<void> {
  const entry = { actor: ctx.actor.userid, action, target, channel: 'wecom' as const, at: ctx.now };
  return audit(detail === undefined ? entry : { ...entry, detail });
}

/** What an operator did at the terminal (the OS user), about a target. */
export function auditCli(action: string, target: string, detail: string): Promise<void> {
  return audit({
    actor: userInfo().username,
    action,
    target,
    channel: 'cli',
    detail,
    at: new Date(),
  });
}
