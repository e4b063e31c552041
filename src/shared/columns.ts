// The one column layout for every text table (report/ renderers, db status, authz actions, watch and net
// listings): widths from the widest cell, two spaces between columns, the last column not padded.

/** Visible width, ignoring ANSI escapes. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Lays rows out in columns; the last column is not padded. Cells may contain ANSI escapes. */
export function renderColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '',
  /** Per column; numbers read best right-aligned. Default: all left. */
  align: readonly ('left' | 'right')[] = [],
): string {
  const all = [header, ...rows];
  // A reduce, not Math.max(...rows): a spread of tens of thousands of rows overflows the call stack.
  const widths = header.map((_, column) =>
    all.reduce((width, row) => Math.max(width, visibleWidth(row[column] ?? '')), 0),
  );
  return all
    .map(
      (row) =>
        indent +
        row
          .map((cell, column) => {
            const pad = ' '.repeat((widths[column] ?? 0) - visibleWidth(cell));
            if (align[column] === 'right') return pad + cell;
            return column === row.length - 1 ? cell : cell + pad;
          })
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
