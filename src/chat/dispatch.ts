import type { Inbound } from '../wecom/message';
import type { Services } from '../services';
import type { Command, ChatContext } from './command';
import { helpCommand, summary } from './commands/help';
import { normalize, trimLeadingSeparators } from './normalize';
import type { RoleName } from '../domain/roster';
import { logger } from '../lib/logger';
import { claimCardClick, releaseCard } from './cards';

export const CARD_NOT_YOURS = '这张卡片不是发给您的，或已失效。发送「待办」查看您的事项。';
export const CARD_USED = '此事项已处理。';

export type CardHandler = (
  ctx: ChatContext,
  key: string,
  taskId: string,
  responseCode: string,
) => Promise<string | undefined>;

/**
 * The chat router: a text becomes a command call; anything unrecognised gets help; an
 * error becomes an apology, never a stack trace.
 */
export class Dispatcher {
  private readonly commands: Command[] = [];
  private readonly cards = new Map<string, CardHandler>();
  /** Card buttons that may be clicked again (e.g. 查看详情); others use the card up. */
  private readonly repeatable = new Map<string, (key: string) => boolean>();
  /** Menu-click EventKeys → the text they stand for. */
  private readonly menu = new Map<string, string>([
    ['help', '帮助'],
    ['todo', '待办'],
    ['me', '我是谁'],
  ]);
  /** Runs before every command (e.g. "is this user in the roster?"); a string answers instead. */
  gate?: (ctx: ChatContext, verb: string) => Promise<string | undefined>;
  /** May replace the text before parsing (e.g. "2" answering a numbered choice). */
  rewrite?: (ctx: ChatContext, text: string) => Promise<string | undefined>;

  /** The sender's roles, so help lists what they can use (set by the roster feature). */
  rolesOf: (userid: string) => Promise<RoleName[] | undefined> = async () => undefined;

  constructor(private readonly services: Services) {
    this.register(
      helpCommand(
        () => this.commands,
        (u) => this.rolesOf(u),
      ),
    );
  }

  register(cmd: Command): void {
    this.commands.push(cmd);
  }

  onCard(prefix: string, handler: CardHandler): void {
    this.cards.set(prefix, handler);
  }

  /** Says which of a prefix's buttons may be clicked again without using the card up. */
  repeatableCards(prefix: string, isRepeatable: (key: string) => boolean): void {
    this.repeatable.set(prefix, isRepeatable);
  }

  async help(userid: string): Promise<string> {
    return summary(this.commands, await this.rolesOf(userid));
  }

  private find(text: string): { cmd: Command; args: string } | undefined {
    const t = normalize(text);
    // Longest name first, and no space needed: "缺勤张三" works like "缺勤 张三".
    const names = this.commands
      .flatMap((cmd) => [cmd.name, ...cmd.aliases].map((n) => ({ n, cmd })))
      .sort((a, b) => b.n.length - a.n.length);
    for (const { n, cmd } of names) {
      if (t.toLowerCase().startsWith(n.toLowerCase())) {
        const rest = t.slice(n.length);
        // ASCII aliases must be whole words ("helpme" is not "help").
        if (/^[a-z]/i.test(n) && rest && !/^\s/.test(rest)) continue;
        return { cmd, args: trimLeadingSeparators(rest).trim() };
      }
    }
    return undefined;
  }

  /** `failed` is told when the command threw (the sender still gets the apology). */
  async handle(msg: Inbound, failed?: (err: unknown) => void): Promise<string | undefined> {
    const ctx: ChatContext = {
      userId: msg.from,
      now: this.services.clock.now(),
      services: this.services,
    };
    try {
      if (msg.kind === 'enter_agent')
        return `您好，这里是保学助手（控辍保学）。\n${await this.help(msg.from)}`;
      if (msg.kind === 'click')
        return await this.text(ctx, this.menu.get(msg.key.toLowerCase()) ?? '帮助');
      if (msg.kind === 'card') return await this.card(ctx, msg);
      if (msg.kind === 'text') return await this.text(ctx, msg.content);
      return undefined;
    } catch (err) {
      failed?.(err);
      logger.error(
        { err: (err as Error).message, stack: (err as Error).stack, user: msg.from },
        'command failed',
      );
      return '抱歉，系统出了点问题，您的消息已记录，技术人员会处理。请稍后再试，或联系学校管理员。';
    }
  }

  /** A card click counts only from the member the card was issued to, once (issue #10 item 8). */
  private async card(
    ctx: ChatContext,
    msg: Extract<Inbound, { kind: 'card' }>,
  ): Promise<string | undefined> {
    const prefix = msg.key.split(':')[0];
    const handler = this.cards.get(prefix);
    const repeatable = this.repeatable.get(prefix)?.(msg.key) ?? false;
    const claim = await claimCardClick(msg.taskId, msg.from, msg.key, ctx.now, repeatable);
    if (claim === 'foreign') return CARD_NOT_YOURS;
    if (claim === 'used') return CARD_USED;
    if (!handler) return '这个按钮已失效。发送「待办」查看您当前的事项。';
    try {
      return await handler(ctx, msg.key, msg.taskId, msg.responseCode);
    } catch (err) {
      if (claim === 'claimed') await releaseCard(msg.taskId, msg.from);
      throw err;
    }
  }

  private async text(ctx: ChatContext, raw: string): Promise<string> {
    const content = (this.rewrite && (await this.rewrite(ctx, raw))) || raw;
    const found = this.find(content);
    if (this.gate) {
      const stop = await this.gate(ctx, found?.cmd.name ?? '');
      if (stop) return stop;
    }
    if (!found) {
      const t = normalize(content);
      return t
        ? `没看懂「${t.slice(0, 20)}」。\n${await this.help(ctx.userId)}`
        : this.help(ctx.userId);
    }
    return found.cmd.run(ctx, found.args);
  }
}
