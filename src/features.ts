import type { Dispatcher } from './chat/dispatch';
import type { Services } from './services';
import { findStaff } from './roster/directory';
import { rosterCommands } from './chat/commands/roster';
import { answerChoice } from './chat/lookup';
import { audit } from './models/audit';

/** Every feature (roster, ladder, reports…) registers its commands, cards and jobs here. */
export async function registerFeatures(dispatcher: Dispatcher, _services: Services): Promise<void> {
  for (const cmd of rosterCommands(findStaff)) dispatcher.register(cmd);

  // A bare number answers the last numbered choice ("1" → 缺勤 G3602…).
  dispatcher.rewrite = (ctx, text) => answerChoice(ctx.userId, text, ctx.now);

  // WeCom members who are not in the roster get a polite note (help still works for them).
  dispatcher.gate = async (ctx, verb) => {
    if (verb === '帮助') return undefined;
    if (await findStaff(ctx.userId)) return undefined;
    await audit({ actor: ctx.userId, action: verb || 'message', channel: 'wecom', outcome: 'refused', detail: 'not in roster', at: ctx.now });
    return '您好！您还不在保学的花名册中，暂时无法使用。请联系本校分管控辍保学的领导，把您加入花名册后再试。';
  };
}
