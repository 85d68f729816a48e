import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { ZONE } from '../lib/time';
import { totalsRow, type Cell, type Column, type Table } from './table';

/**
 * A dashboard table as a real workbook (issue #12 "Workbooks"): a merged title row (district,
 * school, period), the header frozen below it, real date cells, widths fitted to the content
 * (CJK characters count double), and a bold totals row.
 */
export async function tableWorkbook(t: Table, heading: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '保学 Baoxue';
  addTableSheet(wb, t, heading);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * One table as a sheet, formatted as above: the dashboard's downloads and the report
 * workbooks (src/reports/export.ts) share it, so every workbook Baoxue writes looks alike.
 */
export function addTableSheet(wb: ExcelJS.Workbook, t: Table, heading: string): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(t.title.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: 2 }],
  });
  ws.addRow([heading]);
  ws.mergeCells(1, 1, 1, Math.max(1, t.columns.length));
  ws.getRow(1).font = { bold: true, size: 14 };
  ws.addRow(t.columns.map((c) => c.header));
  ws.getRow(2).font = { bold: true };
  for (const r of t.rows) ws.addRow(r.map((v, i) => cellValue(v, t.columns[i])));
  const totals = totalsRow(t);
  if (totals) {
    ws.addRow(totals.map((v, i) => cellValue(v, t.columns[i])));
    ws.lastRow!.font = { bold: true };
  }
  t.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    if (c.kind === 'day') col.numFmt = 'yyyy-mm-dd';
    if (c.kind === 'time') col.numFmt = 'yyyy-mm-dd hh:mm';
    if (c.kind === 'percent') col.numFmt = '0.00%';
    const texts = [c.header, ...t.rows.map((r) => shown(r[i], c)), shown(totals?.[i], c)];
    col.width = Math.min(60, Math.max(6, ...texts.map(displayWidth)) + 2);
  });
  return ws;
}

/** Instants become Shanghai wall-clock time (a spreadsheet has no zones). */
function cellValue(v: Cell, c: Column | undefined): ExcelJS.CellValue {
  if (v === undefined) return null;
  if (v instanceof Date && c?.kind === 'time') {
    const w = DateTime.fromJSDate(v, { zone: ZONE });
    return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute));
  }
  return v;
}

/** The text a cell shows (HTML and width fitting). */
export function shown(v: Cell, c: Column | undefined): string {
  if (v === undefined || v === '') return '';
  if (v instanceof Date) {
    if (c?.kind === 'time')
      return DateTime.fromJSDate(v, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
    return v.toISOString().slice(0, 10);
  }
  if (typeof v === 'number' && c?.kind === 'percent') return `${(v * 100).toFixed(2)}%`;
  return String(v);
}

function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\uffff]/.test(ch) ? 2 : 1;
  return w;
}
