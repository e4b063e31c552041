// Plain-text helpers for terminal renderers: truncation and optional ANSI colour (columns: shared/columns.ts).
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

export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
