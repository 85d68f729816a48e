import type { Command } from '../command';

/** `帮助` lists the commands; `帮助 <命令>` explains one with examples. */
export function helpCommand(all: () => Command[]): Command {
  return {
    name: '帮助',
    aliases: ['help', '?', '？', '菜单'],
    summary: '查看全部命令；「帮助 缺勤」看某个命令的用法',
    usage: '帮助 —— 列出全部命令\n帮助 <命令> —— 看某个命令的用法和例子，如：帮助 缺勤',
    async run(_ctx, args) {
      const wanted = args.trim();
      if (wanted) {
        const cmd = all().find((c) => c.name === wanted || c.aliases.includes(wanted.toLowerCase()));
        if (cmd) return `【${cmd.name}】${cmd.summary}\n${cmd.usage}`;
        return `没有「${wanted}」这个命令。\n${summary(all())}`;
      }
      return summary(all());
    },
  };
}

export function summary(commands: Command[]): string {
  const lines = commands.map((c) => `· ${c.name}：${c.summary}`);
  return `保学助手可以帮您：\n${lines.join('\n')}\n发送「帮助 命令名」查看用法和例子。`;
}
