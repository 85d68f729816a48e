import type { ChatContext } from '../../chat/command';
import { describeRole, namesFor } from '../directory';

/** 我是谁: the sender's roles as the roster has them. */
export async function whoami(ctx: ChatContext): Promise<string> {
  const names = await namesFor(ctx.actor.roles);
  const lines = ctx.actor.roles.map((r) => `· ${describeRole(r, names.classes, names.schools)}`);
  const roles = lines.join('\n') || '· 暂无（请联系学校管理员补登）';
  return `您好，${ctx.actor.name}老师。您在保学中的职责：\n${roles}\n发送「我的学生」查看您负责的学生。`;
}
