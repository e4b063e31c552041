// Plain-text helpers for terminal renderers: column layout, truncation and optional ANSI colour.
import type { Severity } from '../shared/severity.js';

export interface TextStyle {
  readonly color: boolean;
}

const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};

export function paintSeverity(severity: Severity, text: string, style: TextStyle): string {
  return style.color ? `${SEVERITY_COLOR[severity]}${text}\u001b[0m` : text;
}

export function bold(text: string, style: TextStyle): string {
  return style.color ? `\u001b[1m${text}\u001b[0m` : text;
}

export function dim(text: string, style: TextStyle): string {
  return style.color ? `\u001b[2m${text}\u001b[0m` : text;
}

/** Visible width, ignoring ANSI escapes. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
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
