import ExcelJS from 'exceljs';
import { existsSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  ALLOWED,
  SHEETS,
  SHEET_KEYS,
  TEXT_COLUMNS,
  type RawRow,
  type RawWorkbook,
  type SheetKey,
} from './sheets';
import { INSTRUCTIONS, LISTS_TITLE } from './instructions';

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

/** Header → text per row, with the sheet's row number; empty rows are skipped. */
class SheetRows {
  header: string[] = [];
  readonly rows: RawRow[] = [];
  add(n: number, r: ExcelJS.Row): void {
    if (n === 1) {
      r.eachCell((cell, col) => (this.header[col] = cellText(cell.value)));
      return;
    }
    const values: Record<string, string> = {};
    let any = false;
    this.header.forEach((h, col) => {
      if (!h) return;
      const t = cellText(r.getCell(col).value);
      values[h] = t;
      if (t) any = true;
    });
    if (any) this.rows.push({ row: n, values });
  }
  /** Which roster sheet these headers are (when the sheet's name could not be read). */
  kind(): SheetKey | undefined {
    const have = new Set(this.header);
    return SHEET_KEYS.find((k) => SHEETS[k].columns.every((c) => have.has(c)));
  }
}

/** The workbook's roster sheets, by name, or by their header row when renamed. */
async function readWhole(file: string): Promise<RawWorkbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: RawWorkbook = {};
  for (const ws of wb.worksheets) {
    const sheet = new SheetRows();
    for (let n = 1; n <= ws.rowCount; n++) sheet.add(n, ws.getRow(n));
    const key = TITLES.get(ws.name) ?? sheet.kind();
    if (key && !out[key]) out[key] = sheet.rows;
  }
  return out;
}

const TITLES = new Map<string, SheetKey>(SHEET_KEYS.map((k) => [SHEETS[k].title, k]));

/** Reads an .xlsx workbook, or a folder of CSV files named after the sheets (学校.csv …). */
export async function readRoster(file: string): Promise<RawWorkbook> {
  if (!existsSync(file) || !statSync(file).isDirectory())
    // Read whole, not streamed: exceljs' streaming reader garbles a character split across
    // chunks and trips over some files' part order (tried; see the tests).
    return readWhole(file);
  const out: RawWorkbook = {};
  for (const key of SHEET_KEYS) {
    const csv = path.join(file, `${SHEETS[key].title}.csv`);
    if (!existsSync(csv)) continue;
    const wb = new ExcelJS.Workbook();
    // map: keep every value as text (学籍号 and phones must not become numbers).
    const ws = await wb.csv.readFile(csv, { map: (v: unknown) => v } as never);
    const sheet = new SheetRows();
    for (let n = 1; n <= ws.rowCount; n++) sheet.add(n, ws.getRow(n));
    out[key] = sheet.rows;
  }
  return out;
}

type Rows = Partial<Record<SheetKey, string[][]>>;
/** exceljs has `dataValidations` on worksheets but does not declare it. */
type WithValidations = { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } };

const colLetter = (i: number) => String.fromCharCode(65 + i);

/** The 说明 sheet and the 可选值 sheet whose columns feed the dropdowns. */
function addGuide(wb: ExcelJS.Workbook): Map<string, string> {
  const guide = wb.addWorksheet('说明');
  guide.columns = [{ width: 16 }, { width: 22 }, { width: 90 }];
  for (const line of INSTRUCTIONS) {
    const row = guide.addRow(line);
    if (line.length === 1) row.font = { bold: true };
    row.commit();
  }
  guide.commit();
  const lists = wb.addWorksheet(LISTS_TITLE);
  const distinct = [...new Set(Object.values(ALLOWED))];
  const columnOf = (v: readonly string[]) => Object.keys(ALLOWED).find((k) => ALLOWED[k] === v)!;
  lists.columns = distinct.map((v) => ({ header: columnOf(v), width: 14 }));
  const longest = Math.max(...distinct.map((v) => v.length));
  for (let r = 0; r < longest; r++) lists.addRow(distinct.map((v) => v[r] ?? null)).commit();
  const ranges = new Map<string, string>();
  for (const [column, values] of Object.entries(ALLOWED)) {
    const col = colLetter(distinct.indexOf(values));
    ranges.set(column, `'${LISTS_TITLE}'!$${col}$2:$${col}$${values.length + 1}`);
  }
  lists.commit();
  return ranges;
}

function addSheet(
  wb: ExcelJS.Workbook,
  key: SheetKey,
  rows: string[][],
  lists: Map<string, string>,
  tick: () => void,
) {
  const ws = wb.addWorksheet(SHEETS[key].title, { views: [{ state: 'frozen', ySplit: 1 }] });
  const columns: readonly string[] = SHEETS[key].columns;
  ws.columns = columns.map((c) => ({
    header: c,
    key: c,
    width: Math.max(12, c.length * 3),
    style: TEXT_COLUMNS.has(c) ? { numFmt: '@' } : {},
  }));
  ws.getRow(1).font = { bold: true };
  const last = Math.max(rows.length + 1, 2000);
  columns.forEach((c, i) => {
    const list = lists.get(c);
    if (!list) return;
    const col = colLetter(i);
    const strict = c !== '监护人关系' && c !== '监护人2关系';
    (ws as unknown as WithValidations).dataValidations.add(`${col}2:${col}${last}`, {
      type: 'list',
      allowBlank: true,
      formulae: [list],
      showErrorMessage: true,
      errorStyle: strict ? 'stop' : 'information',
      error: strict ? `请从列表中选择：${(ALLOWED[c] ?? []).join('、')}` : '列表外的称谓也可以',
    });
  });
  for (const r of rows) {
    ws.addRow(r).commit();
    tick();
  }
  ws.commit();
}

/**
 * Writes rows (already in sheet columns) as .xlsx — with the 说明 sheet, dropdowns, text
 * columns and frozen headers — or as CSV files when `file` has no extension. The .xlsx is
 * streamed, so a county's 56,000 students do not sit in memory twice.
 */
export async function writeRoster(
  file: string,
  rows: Rows,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  if (!path.extname(file)) return writeCsv(file, rows);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = '保学 Baoxue';
  const lists = addGuide(wb);
  const total = SHEET_KEYS.reduce((n, k) => n + (rows[k]?.length ?? 0), 0);
  let done = 0;
  const tick = () => ++done % 1000 === 0 && onProgress?.(done, total);
  for (const key of SHEET_KEYS) addSheet(wb, key, rows[key] ?? [], lists, tick);
  onProgress?.(total, total);
  await wb.commit();
}

async function writeCsv(dir: string, rows: Rows): Promise<void> {
  const wb = new ExcelJS.Workbook();
  mkdirSync(dir, { recursive: true });
  for (const key of SHEET_KEYS) {
    const ws = wb.addWorksheet(SHEETS[key].title);
    ws.columns = SHEETS[key].columns.map((c) => ({ header: c, key: c }));
    for (const r of rows[key] ?? []) ws.addRow(r);
    await wb.csv.writeFile(path.join(dir, `${SHEETS[key].title}.csv`), {
      sheetName: SHEETS[key].title,
    });
  }
}

export async function writeTemplate(file: string): Promise<void> {
  const rows: Rows = {};
  for (const key of SHEET_KEYS) rows[key] = [[...SHEETS[key].example]];
  await writeRoster(file, rows);
}
