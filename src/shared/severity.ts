// Severity levels shared by every check, ordered from most to least severe (DESIGN.md "Contracts").
import { z } from 'zod';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES);

const RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Numeric rank: higher is more severe. */
export function rankSeverity(severity: Severity): number {
  return RANK[severity];
}

/** True when `severity` is at or above `threshold` (e.g. for `--fail-on`). */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

export function parseSeverity(text: string): Severity | undefined {
  const lower = text.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(lower) ? (lower as Severity) : undefined;
}

/** Sorts most severe first; stable for equal severities. */
export function compareSeverityDesc(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}
