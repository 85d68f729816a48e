import type { Services } from '../services';

/** What a chat command sees: who is asking, when, and the services. */
export interface ChatContext {
  userId: string;
  now: Date;
  services: Services;
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
