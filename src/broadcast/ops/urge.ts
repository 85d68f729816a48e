import type { ChatContext } from '../../chat/command';
import { Answer } from '../../chat/command';
import { authorizeSchool } from '../../domain/policy';
import { Report } from '../../models/report';
import { B } from '../replies';
import { draftBroadcast } from './draft';

/**
 * 催报 [内容] (the bureau): a preview, then on 发送 the text goes to the principals of the
 * schools with a report still open or late — and to nobody else.
 */
export async function urgeReports(ctx: ChatContext, args: string): Promise<string> {
  authorizeSchool(ctx.actor, 'broadcastDistrict', '*');
  const open = await Report.find({ status: { $in: ['open', 'late'] } }).lean();
  const schools = [...new Set(open.map((r) => r.schoolCode))].sort();
  if (!schools.length) throw new Answer(B.nothingToUrge);
  const missing = new Map<string, string[]>();
  for (const r of open)
    missing.set(r.schoolCode, [
      ...(missing.get(r.schoolCode) ?? []),
      `${r.label}${r.kind === 'monthly' ? '流失生月报' : '学籍变动季报'}`,
    ]);
  // One text for all: it names the reports when every school misses the same ones.
  const sets = new Set([...missing.values()].map((l) => l.sort().join('、')));
  const label = sets.size === 1 ? [...sets][0] : '的部分报告';
  const content = args.trim() || B.urgeText(label);
  return draftBroadcast(ctx, {
    audience: { schools, roles: ['principal'] },
    content,
    origin: 'urge',
  });
}
