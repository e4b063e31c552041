// Measures how often `bulkhead lint` agrees with hadolint's own DL rule cases (test/lint/hadolint-cases.ts): a
// case agrees when the findings carrying that DL id as an alias match the spec ("some": at least one, "once":
// exactly one, "none": zero). Run directly to print the figure and every disagreement:
// node --import tsx test/lint/hadolint-parity.ts
import { fileURLToPath } from 'node:url';
import { lintDockerfile } from '../../src/lint/lint.js';
import { LINT_RULES } from '../../src/lint/rules/index.js';
import { HADOLINT_CASES, type HadolintCase } from './hadolint-cases.js';

export interface ParityCase extends HadolintCase {
  /** Stable name: the rule id and the case's ordinal among that rule's rows (DL3020-4). */
  readonly id: string;
}

export interface Disagreement {
  readonly case: ParityCase;
  readonly found: number;
}

export interface ParityResult {
  readonly total: number;
  readonly agreed: number;
  readonly disagreements: readonly Disagreement[];
}

export function parityCases(): ParityCase[] {
  const seen = new Map<string, number>();
  return HADOLINT_CASES.map((c) => {
    const n = (seen.get(c.rule) ?? 0) + 1;
    seen.set(c.rule, n);
    return { ...c, id: `${c.rule}-${String(n)}` };
  });
}

export function agrees(expect: HadolintCase['expect'], found: number): boolean {
  if (expect === 'none') return found === 0;
  if (expect === 'once') return found === 1;
  return found > 0;
}

export function measureParity(): ParityResult {
  const disagreements: Disagreement[] = [];
  const cases = parityCases();
  for (const c of cases) {
    const { findings } = lintDockerfile(c.code, 'Dockerfile', { rules: LINT_RULES });
    const found = findings.filter((f) => f.aliases.some((a) => a.toUpperCase() === c.rule)).length;
    if (!agrees(c.expect, found)) disagreements.push({ case: c, found });
  }
  return { total: cases.length, agreed: cases.length - disagreements.length, disagreements };
}

export function formatParity(result: ParityResult): string {
  const pct = ((100 * result.agreed) / result.total).toFixed(1);
  const lines = [`agreement: ${String(result.agreed)}/${String(result.total)} (${pct}%)`];
  for (const d of result.disagreements)
    lines.push(
      `${d.case.id} ${d.case.spec} "${d.case.title}": hadolint ${d.case.expect}, bulkhead ${String(d.found)}\n    ${d.case.code.trimEnd().replaceAll('\n', '\n    ')}`,
    );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.stdout.write(`${formatParity(measureParity())}\n`);
