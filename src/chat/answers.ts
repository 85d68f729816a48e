import type { Command } from './command';
import type { StaffLike } from '../domain/roster';
import { usableNames } from './commands/help';

/** Fixed chat answers of the dispatcher (issue #14): short, addressed to the sender as 您. */
export const MAX_MESSAGE_CHARS = 2000;
export const TOO_LONG =
  `消息太长（超过 ${MAX_MESSAGE_CHARS} 字），保学没有处理。` +
  '请分几次发送，每次不超过 2000 字；家访记录可以分成几条「家访 姓名 记录」。';
export const GREETING = '您好！我是保学助手。发送「帮助」查看您能用的命令，例如「缺勤 张三」。';
export const THANKS = '不客气！有需要随时发消息给我。';

/** Not understood: the two or three closest commands the sender can use, not the whole menu. */
export function notUnderstood(
  commands: Command[],
  suggestions: string[],
  actor: StaffLike | null,
): string {
  const usable = usableNames(
    commands,
    actor?.roles.length ? actor.roles.map((r) => r.role) : undefined,
  );
  const near = suggestions
    .filter((n) => usable.has(n))
    .map((n) => commands.find((c) => c.name === n)!)
    .filter(Boolean);
  if (!near.length)
    return '没看懂您的消息。发送「帮助」查看您能用的命令，例如「缺勤 张三」「待办」。';
  const lines = near.map((c) => `· ${c.name}：${c.summary}`);
  return `没看懂您的消息。您是不是要用：\n${lines.join('\n')}\n发送「帮助 ${near[0].name}」看用法和例子。`;
}
