/** The reliability suite's end-of-file table (issue #10: inputs tried … lost = 0). */
export interface SuiteFigures {
  suite: string;
  inputsTried: number;
  duplicatesDelivered: number;
  handled: number;
  rejected: number;
  lost: number;
  seconds: number;
}

export function printSummary(rows: SuiteFigures[]): void {
  const cols: (keyof SuiteFigures)[] = [
    'suite',
    'inputsTried',
    'duplicatesDelivered',
    'handled',
    'rejected',
    'lost',
    'seconds',
  ];
  const width = (c: keyof SuiteFigures) =>
    Math.max(c.length, ...rows.map((r) => String(r[c]).length));
  const line = (cells: string[]) =>
    cells
      .map((v, i) => v.padEnd(width(cols[i])))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    [
      '',
      line(cols),
      line(cols.map((c) => '-'.repeat(width(c)))),
      ...rows.map((r) => line(cols.map((c) => String(r[c])))),
      '',
    ].join('\n') + '\n',
  );
}
