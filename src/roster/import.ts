import type { PiiCipher } from '../lib/pii';
import { applyRoster, type ImportReport } from './apply';
import { readRoster } from './workbook';
import { validateRoster, type Validation } from './validate';

export interface ImportOptions {
  dryRun?: boolean;
  /** Import the valid rows even when some rows are invalid. */
  skipInvalid?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportOutcome {
  validation: Validation;
  /** Undefined when nothing was written (dry run, or errors without skipInvalid). */
  report?: ImportReport;
}

/** Validates every row first; writes nothing when any row is invalid unless asked to skip them. */
export async function importRoster(
  file: string,
  pii: PiiCipher,
  opts: ImportOptions = {},
): Promise<ImportOutcome> {
  const validation = validateRoster(await readRoster(file));
  if (opts.dryRun || (validation.errors.length && !opts.skipInvalid)) return { validation };
  return { validation, report: await applyRoster(validation.data, pii, opts.onProgress) };
}

/** Errors shown in the terminal; the rest are counted (the same kind is usually fixed at once). */
const SHOWN_ROWS = 500;

/** Every problem, one line per row (a row with three mistakes lists all three). */
function errorLines(v: Validation): string[] {
  const byRow = new Map<string, string[]>();
  for (const e of v.errors) {
    const key = `「${e.sheet}」表 第 ${e.row} 行`;
    byRow.set(key, [...(byRow.get(key) ?? []), e.message]);
  }
  const lines = [`发现 ${v.errors.length} 处错误，涉及 ${byRow.size} 行：`];
  for (const [key, messages] of [...byRow].slice(0, SHOWN_ROWS))
    lines.push(`  ${key}：${messages.join('；')}`);
  if (byRow.size > SHOWN_ROWS) lines.push(`  ……另有 ${byRow.size - SHOWN_ROWS} 行有错误未列出`);
  return lines;
}

function warningLines(o: ImportOutcome, opts: ImportOptions): string[] {
  const w = o.validation.warnings;
  if (!w.length) return [];
  const blocked = !o.report && !opts.dryRun;
  const errors = o.validation.errors.length > 0;
  const head =
    blocked || (opts.dryRun && errors && !opts.skipInvalid)
      ? '导入前还需补齐的责任链（按目前正确的行统计）：'
      : o.report
        ? '责任链缺口（已导入，相关事项会转给上一级，请尽快补齐）：'
        : '责任链缺口（已可导入，相关事项会转给上一级，请尽快补齐）：';
  return [head, ...w.map((x) => `  ${x}`)];
}

function reportLines(o: ImportOutcome): string[] {
  const r = o.report!;
  const lines = ['导入完成：'];
  for (const k of ['学校', '班级', '教职工', '学生']) {
    const updated = r.updated[k] ?? [];
    const counts = `新增 ${r.created[k] ?? 0}，更新 ${updated.length}，未变 ${r.unchanged[k] ?? 0}`;
    lines.push(`  ${k}：${counts}`);
    for (const u of updated.slice(0, 20))
      lines.push(`    · ${u.key} 更新了 ${u.fields.join('、')}`);
    if (updated.length > 20) lines.push(`    · ……另有 ${updated.length - 20} 条`);
  }
  if (r.notInFile) lines.push(`  另有 ${r.notInFile} 名学生在系统中但不在本文件里（未改动）。`);
  const skipped = new Set(o.validation.errors.map((e) => `${e.sheet}${e.row}`)).size;
  if (skipped) lines.push(`已跳过 ${skipped} 行有错误的数据。`);
  return lines;
}

/** The outcome in plain Chinese, for the CLI. */
export function describeImport(o: ImportOutcome, opts: ImportOptions): string {
  const v = o.validation;
  const d = v.data;
  const lines = [
    `检查完毕：学校 ${d.schools.length}、班级 ${d.classes.length}、` +
      `教职工 ${d.staff.length}、学生 ${d.students.length} 条有效。`,
  ];
  if (v.errors.length) lines.push(...errorLines(v));
  lines.push(...warningLines(o, opts));
  if (o.report) return [...lines, ...reportLines(o)].join('\n');
  if (opts.dryRun) lines.push('这是试运行（--dry-run），没有写入任何数据。');
  else
    lines.push(
      '因为有错误，没有导入任何数据。请改正后重新导入，或加 --skip-invalid 只导入正确的行。',
    );
  return lines.join('\n');
}
