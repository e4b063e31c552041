// CVSS v3.x base score from a vector string (FIRST CVSS v3.1 specification, section 7.1) and its rating.
import type { Severity } from '../../shared/severity.js';

const WEIGHTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3.1 "Roundup": smallest number with one decimal >= input, robust to floating point. */
function roundUp(value: number): number {
  const int = Math.round(value * 100000);
  return int % 10000 === 0 ? int / 100000 : (Math.floor(int / 10000) + 1) / 10;
}

/** Base score of a "CVSS:3.x/AV:N/AC:L/..." vector; undefined when the vector is not a complete v3 base vector. */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const m = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [k, v] = part.split(':');
    if (k !== undefined && v !== undefined) m.set(k, v);
  }
  const scope = m.get('S');
  const metric = (k: string): number | undefined => WEIGHTS[k]?.[m.get(k) ?? ''];
  const [av, ac, ui, c, i, a] = [
    metric('AV'),
    metric('AC'),
    metric('UI'),
    metric('C'),
    metric('I'),
    metric('A'),
  ];
  const prLetter = m.get('PR');
  const pr =
    prLetter === 'N'
      ? 0.85
      : prLetter === 'L'
        ? scope === 'C'
          ? 0.68
          : 0.62
        : prLetter === 'H'
          ? scope === 'C'
            ? 0.5
            : 0.27
          : undefined;
  if (
    av === undefined ||
    ac === undefined ||
    ui === undefined ||
    c === undefined ||
    i === undefined ||
    a === undefined ||
    pr === undefined
  ) {
    return undefined;
  }
  if (scope !== 'U' && scope !== 'C') return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return scope === 'U'
    ? roundUp(Math.min(impact + exploitability, 10))
    : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** CVSS v3 qualitative rating; "None" (0.0) maps to info. */
export function cvssRating(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}
