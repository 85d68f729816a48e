import type { Services } from '../services';
import type { StaffLike } from '../domain/roster';
import type { Channel } from '../domain/cases/facts';

/**
 * What a command, a card click or an operation sees (Probot's `context`): who is acting —
 * resolved once by the dispatcher — when, through which channel, and the services.
 */
export interface ChatContext {
  actor: StaffLike;
  now: Date;
  channel: Channel;
  services: Services;
  /** The message as typed (before normalising), for commands that keep free text exactly. */
  text?: string;
}

export interface Command {
  /** The Chinese verb teachers type, e.g. 缺勤. */
  name: string;
  aliases: string[];
  /** One line for the help summary. */
  summary: string;
  /** Full usage with examples, for `帮助 <命令>`. */
  usage: string;
  run(ctx: ChatContext, args: string): Promise<string>;
}

/** An ordinary early answer (a question back, a "nothing to do"): thrown, answered as is. */
export class Answer extends Error {
  constructor(readonly reply: string) {
    super('answer');
  }
}

/** Asks back with `ask` unless `text` says something (two characters besides white space). */
export function requireText(text: string, ask: string): void {
  if (text.replace(/\s/g, '').length < 2) throw new Answer(ask);
}
