import ExcelJS from 'exceljs';
import { existsSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SHEETS, SHEET_KEYS, type RawRow, type RawWorkbook, type SheetKey } from './sheets';

/** exceljs cell → the text a person typed (dates as YYYY-MM-DD, long numbers kept exact). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
  }
  return String(value).trim();
}

function readSheet(ws: ExcelJS.Worksheet): RawRow[] {
  const header: string[] = [];
  ws.getRow(1).eachCell((cell, col) => {
    header[col] = cellText(cell.value);
  });
  const rows: RawRow[] = [];
  ws.eachRow((r, n) => {
    if (n === 1) return;
    const values: Record<string, string> = {};
    let any = false;
    header.forEach((h, col) => {
      if (!h) return;
      const t = cellText(r.getCell(col).value);
      values[h] = t;
      if (t) any = true;
    });
    if (any) rows.push({ row: n, values });
  });
  return rows;
}

/** Reads an .xlsx workbook, or a folder of CSV files named after the sheets (学校.csv …). */
export async function readRoster(file: string): Promise<RawWorkbook> {
  const out: RawWorkbook = {};
  if (existsSync(file) && statSync(file).isDirectory()) {
    for (const key of SHEET_KEYS) {
      const csv = path.join(file, `${SHEETS[key].title}.csv`);
      if (!existsSync(csv)) continue;
      const wb = new ExcelJS.Workbook();
      // map: keep every value as text (学籍号 and phones must not become numbers).
      const ws = await wb.csv.readFile(csv, { map: (v: unknown) => v } as never);
      out[key] = readSheet(ws);
    }
    return out;
  }
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  for (const key of SHEET_KEYS) {
    const ws = wb.getWorksheet(SHEETS[key].title);
    if (ws) out[key] = readSheet(ws);
  }
  return out;
}

/** Writes rows (already in sheet columns) as .xlsx, or as CSV files when `file` ends in / or has no extension. */
export async function writeRoster(
  file: string,
  rows: Partial<Record<SheetKey, string[][]>>,
): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '保学 Baoxue';
  for (const key of SHEET_KEYS) {
    const ws = wb.addWorksheet(SHEETS[key].title);
    ws.columns = SHEETS[key].columns.map((c) => ({
      header: c,
      key: c,
      width: Math.max(12, c.length * 3),
      style: { numFmt: '@' },
    }));
    ws.getRow(1).font = { bold: true };
    for (const r of rows[key] ?? []) ws.addRow(r);
  }
  if (!path.extname(file)) {
    mkdirSync(file, { recursive: true });
    for (const key of SHEET_KEYS)
      await wb.csv.writeFile(path.join(file, `${SHEETS[key].title}.csv`), {
        sheetName: SHEETS[key].title,
      });
    return;
  }
  await wb.xlsx.writeFile(file);
}

export async function writeTemplate(file: string): Promise<void> {
  const rows: Partial<Record<SheetKey, string[][]>> = {};
  for (const key of SHEET_KEYS) rows[key] = [[...SHEETS[key].example]];
  await writeRoster(file, rows);
}
