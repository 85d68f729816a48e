import { Answer, type Command } from '../command';
import { normalize } from '../normalize';
import { PERIOD_HELP, sendExport, type ExportInput } from '../../reports/ops/send-export';

/** 2026-11, 2026-Q4, 2026年11月, 2026年第4季度, 2026q4 → the period key. */
function periodFrom(word: string): string | undefined {
  const w = word.toUpperCase();
  const q = /^(\d{4})[-年]?(?:Q|第)([1-4])(?:季度)?$/.exec(w);
  if (q) return `${q[1]}-Q${q[2]}`;
  const m = /^(\d{4})[-年/.](\d{1,2})月?$/.exec(w);
  if (m && +m[2] >= 1 && +m[2] <= 12) return `${m[1]}-${m[2].padStart(2, '0')}`;
  return undefined;
}

/** 导出 [月报|季报] [期间] [学校]: the parts in any order; what is left is the school's name. */
export function parseExport(args: string): ExportInput {
  const words = normalize(args).split(' ').filter(Boolean);
  let kind: ExportInput['kind'] | undefined;
  let period: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    if (/^月报|^流失生月报$/.test(w)) kind = 'monthly';
    else if (/^季报|^学籍变动季报$/.test(w)) kind = 'quarterly';
    else if (periodFrom(w)) period = periodFrom(w);
    else rest.push(w);
  }
  kind ??= period?.includes('Q') ? 'quarterly' : period ? 'monthly' : undefined;
  if (!kind) throw new Answer(PERIOD_HELP);
  return { kind, period, school: rest.join('') };
}

/** `导出`: a period's workbook (上报情况 + 明细) sent as a WeCom file. */
export const exportCommand: Command = {
  name: '导出',
  aliases: ['导出报表', '下载报表'],
  summary: '（校长/分管领导/教体局）把月报、季报导出为 Excel 文件发给您',
  usage:
    '导出 月报 2026-11 —— 校长、分管领导导出本校，教体局导出全区\n' +
    '导出 季报 2026-Q4\n导出 月报 2026-11 珠山区第一小学 —— 教体局导出某一所学校\n' +
    '不写期间时：月报为上个月，季报为本季度',
  run: (ctx, args) => sendExport(ctx, parseExport(args)),
};
