import type { Inbound } from '../wecom/message';
import type { Services } from '../services';
import { Answer, type Command, type ChatContext } from './command';
import { askerOf, helpCommand, summary } from './commands/help';
import { parseCommand, type Parsed } from './grammar';
import { GREETING, MAX_MESSAGE_CHARS, THANKS, TOO_LONG, notUnderstood } from './answers';
import type { StaffLike } from '../domain/roster';
import { Refused, refusal } from '../domain/policy';
import { audit } from '../models/audit';
import { logger } from '../lib/logger';
import { claimCardClick, releaseCard } from './cards';
import { isNextPage, Pager } from './paging';

export const CARD_NOT_YOURS = '这张卡片不是发给您的，或已失效。发送「待办」查看您的事项。';
export const CARD_USED = '此事项已处理。';

export type CardHandler = (
  ctx: ChatContext,
  key: string,
  taskId: string,
  responseCode: string,
) => Promise<string | undefined>;

const NOT_IN_ROSTER =
  '您好！您还不在保学的花名册中，暂时无法使用。请联系本校分管控辍保学的领导，把您加入花名册后再试。';

/**
 * The chat router (Probot-style): a delivery becomes a context carrying the sender, resolved
 * once; a text becomes a command call; anything unrecognised gets help. Commands answer by
 * returning (or throwing `Answer`); a refused action (`Refused`) is audited and answered here;
 * an error becomes an apology, never a stack trace.
 */
export class Dispatcher {
  private readonly commands: Command[] = [];
  private readonly cards = new Map<string, CardHandler>();
  /** Card buttons that may be clicked again (e.g. 查看详情); others use the card up. */
  private readonly repeatable = new Map<string, (key: string) => boolean>();
  /** Menu-click EventKeys → the text they stand for. */
  private readonly menu = new Map([
    ['help', '帮助'],
    ['todo', '待办'],
    ['me', '我是谁'],
  ]);
  /**
   * May replace the text before parsing (e.g. "2" answering a numbered choice); `note` goes
   * before the reply (e.g. an open question was left).
   */
  rewrite?: (
    ctx: ChatContext,
    text: string,
  ) => Promise<string | { text: string; note: string } | undefined>;
  /** Long replies are paged (「下一页」), whatever command gave them. */
  private readonly pager: Pager;

  constructor(
    private readonly services: Services,
    private readonly findActor: (userid: string) => Promise<StaffLike | null>,
  ) {
    this.register(helpCommand(() => this.commands));
    this.pager = new Pager(services.pii);
  }

  /** The registered command words (names, aliases), for the grammar's helpers. */
  commandWords(): Command[] {
    return this.commands;
  }

  register(...cmds: Command[]): void {
    this.commands.push(...cmds);
  }

  onCard(prefix: string, handler: CardHandler): void {
    this.cards.set(prefix, handler);
  }

  /** Says which of a prefix's buttons may be clicked again without using the card up. */
  repeatableCards(prefix: string, isRepeatable: (key: string) => boolean): void {
    this.repeatable.set(prefix, isRepeatable);
  }

  private find(text: string): Parsed & { cmd?: Command } {
    const parsed = parseCommand(text, this.commands);
    if (parsed.kind !== 'command') return parsed;
    return { ...parsed, cmd: this.commands.find((c) => c.name === parsed.command) };
  }

  /** `failed` is told when the command threw (the sender still gets the apology). */
  async handle(msg: Inbound, failed?: (err: unknown) => void): Promise<string | undefined> {
    if (msg.kind === 'ignored') return undefined;
    const now = this.services.clock.now();
    try {
      const actor = await this.findActor(msg.from);
      const ctx: ChatContext = {
        actor: actor ?? guest(msg.from),
        now,
        channel: 'wecom',
        services: this.services,
      };
      if (actor && msg.kind === 'text' && isNextPage(msg.content))
        return await this.pager.next(actor.userid, now);
      const reply = await this.route(ctx, actor, msg);
      // Every reply (passive or sent later through the outbox) fits one WeCom text: paged.
      return reply && actor ? await this.pager.page(actor.userid, reply, now) : reply;
    } catch (err) {
      failed?.(err);
      logger.error(
        { err: (err as Error).message, stack: (err as Error).stack, user: msg.from },
        'command failed',
      );
      return '抱歉，系统出了点问题，您的消息已记录，技术人员会处理。请稍后再试，或联系学校管理员。';
    }
  }

  private async route(
    ctx: ChatContext,
    actor: StaffLike | null,
    msg: Exclude<Inbound, { kind: 'ignored' }>,
  ): Promise<string | undefined> {
    if (msg.kind === 'enter_agent')
      return `您好，这里是保学助手（控辍保学）。\n${await this.help(actor)}`;
    if (msg.kind === 'click')
      return this.text(ctx, actor, this.menu.get(msg.key.toLowerCase()) ?? '帮助');
    if (msg.kind === 'text') return this.text(ctx, actor, msg.content);
    if (!actor) return NOT_IN_ROSTER;
    return this.answer(ctx, () => this.card(ctx, msg));
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

  private async help(actor: StaffLike | null): Promise<string> {
    return summary(this.commands, await askerOf(actor));
  }

  private async text(ctx: ChatContext, actor: StaffLike | null, raw: string): Promise<string> {
    if ([...raw].length > MAX_MESSAGE_CHARS) return TOO_LONG;
    let note = '';
    const reply =
      (await this.answer(ctx, async () => {
        const r = actor && this.rewrite ? await this.rewrite(ctx, raw) : undefined;
        if (r && typeof r !== 'string') note = r.note;
        const content = (typeof r === 'string' ? r : r?.text) || raw;
        ctx.text = content;
        const found = this.find(content);
        if (!actor) return this.guestAnswer(ctx, found);
        if (found.kind === 'greeting') return GREETING;
        if (found.kind === 'thanks') return THANKS;
        if (found.kind === 'empty') return this.help(actor);
        if (found.kind === 'unknown') return notUnderstood(this.commands, found.suggestions, actor);
        return found.cmd!.run(ctx, found.args);
      })) ?? '';
    return note ? `${note}\n${reply}` : reply;
  }

  /** Someone not in the roster: only 帮助 answers; anything else is audited and refused. */
  private async guestAnswer(ctx: ChatContext, found: ReturnType<Dispatcher['find']>) {
    if (found.kind === 'command' && found.command === '帮助')
      return found.cmd!.run(ctx, found.args);
    await audit({
      actor: ctx.actor.userid,
      action: found.kind === 'command' ? found.command : 'message',
      channel: 'wecom',
      outcome: 'refused',
      detail: 'not in roster',
      at: ctx.now,
    });
    return NOT_IN_ROSTER;
  }

  /** Runs a command or a click: an `Answer` is the reply; a `Refused` is audited and answered. */
  private async answer(
    ctx: ChatContext,
    run: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Answer) return err.reply;
      if (!(err instanceof Refused)) throw err;
      await audit({
        actor: ctx.actor.userid,
        action: err.action,
        target: err.target,
        channel: 'wecom',
        outcome: 'refused',
        at: ctx.now,
      });
      return refusal(err.action, err.elsewhere);
    }
  }
}

/** Someone WeCom knows but the roster does not (only 帮助 answers them). */
function guest(userid: string): StaffLike {
  return { userid, name: '', roles: [] };
}
