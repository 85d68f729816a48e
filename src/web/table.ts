/**
 * One dashboard table, rendered twice: as HTML and as an xlsx workbook. `day` cells are
 * calendar days (UTC midnight of the Shanghai day), `time` cells instants (shown in Shanghai
 * time), `percent` a 0..1 ratio. Columns with `total` are summed in the totals row.
 */
export type Cell = string | number | Date | undefined;

export interface Column {
  header: string;
  kind?: 'text' | 'number' | 'day' | 'time' | 'percent';
  total?: boolean;
}

export interface Table {
  /** Used in the file name and the workbook's title row. */
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Label of the totals row (first column); none when absent. */
  totals?: string;
  /** A ratio column computed from two summed columns in the totals row: [target, num, den]. */
  ratio?: [number, number, number];
}

/** The totals row: summed columns, the ratio recomputed, the rest empty. */
export function totalsRow(t: Table): Cell[] | undefined {
  if (!t.totals) return undefined;
  const row: Cell[] = t.columns.map((c, i) =>
    c.total ? t.rows.reduce((sum, r) => sum + (typeof r[i] === 'number' ? r[i] : 0), 0) : undefined,
  );
  if (t.ratio) {
    const [at, num, den] = t.ratio;
    const n = Number(row[num] ?? 0);
    const d = Number(row[den] ?? 0);
    row[at] = d ? n / d : 1;
  }
  row[0] = t.totals;
  return row;
}
