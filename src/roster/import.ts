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

/** The outcome in plain Chinese, for the CLI. */
export function describeImport(o: ImportOutcome, opts: ImportOptions): string {
  const lines: string[] = [];
  const v = o.validation;
  lines.push(
    `检查完毕：学校 ${v.data.schools.length}、班级 ${v.data.classes.length}、教职工 ${v.data.staff.length}、学生 ${v.data.students.length} 条有效。`,
  );
  if (v.errors.length) {
    lines.push(`发现 ${v.errors.length} 处错误：`);
    for (const e of v.errors) lines.push(`  「${e.sheet}」表 第 ${e.row} 行：${e.message}`);
  }
  if (v.warnings.length) {
    lines.push('责任链缺口（已可导入，但请尽快补齐）：');
    for (const w of v.warnings) lines.push(`  ${w}`);
  }
  if (!o.report) {
    if (opts.dryRun) lines.push('这是试运行（--dry-run），没有写入任何数据。');
    else
      lines.push(
        '因为有错误，没有导入任何数据。请改正后重新导入，或加 --skip-invalid 只导入正确的行。',
      );
    return lines.join('\n');
  }
  const r = o.report;
  const kinds = ['学校', '班级', '教职工', '学生'];
  lines.push('导入完成：');
  for (const k of kinds) {
    const updated = r.updated[k] ?? [];
    lines.push(
      `  ${k}：新增 ${r.created[k] ?? 0}，更新 ${updated.length}，未变 ${r.unchanged[k] ?? 0}`,
    );
    for (const u of updated.slice(0, 20))
      lines.push(`    · ${u.key} 更新了 ${u.fields.join('、')}`);
    if (updated.length > 20) lines.push(`    · ……另有 ${updated.length - 20} 条`);
  }
  if (r.notInFile) lines.push(`  另有 ${r.notInFile} 名学生在系统中但不在本文件里（未改动）。`);
  if (v.errors.length) lines.push(`已跳过 ${v.errors.length} 行有错误的数据。`);
  return lines.join('\n');
}
