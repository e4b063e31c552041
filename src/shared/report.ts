// The Report contract every family driver returns and every renderer reads: findings plus the rules that ran, what
// was examined and what went wrong (DESIGN.md "Contracts shared by every stage"; schema in docs/<command>.md).
import type { Diagnostic } from './diagnostic.js';
import type { Finding, OutcomeKind } from './finding.js';
import type { RuleMeta } from './rule.js';
import { compareSeverityDesc, SEVERITIES, type Severity } from './severity.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export type ReportCommand = 'audit' | 'scan' | 'lint' | 'watch';

export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly command: ReportCommand;
  readonly generatedAt: string;
  /** What was examined: image references, Dockerfile paths, the engine address and host root. */
  readonly subjects: readonly string[];
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleMeta[];
  readonly diagnostics: readonly Diagnostic[];
  /** Command-specific description of what was examined (scan: image, OS, layers, packages); see docs/<command>.md. */
  readonly artifact?: Readonly<Record<string, unknown>>;
}

export interface Summary {
  readonly byOutcome: Readonly<Record<OutcomeKind, number>>;
  /** Failures only, by severity. */
  readonly failuresBySeverity: Readonly<Record<Severity, number>>;
  readonly total: number;
}

export function createReport(input: {
  command: ReportCommand;
  subjects: readonly string[];
  findings: readonly Finding[];
  rules?: readonly RuleMeta[];
  diagnostics?: readonly Diagnostic[];
  artifact?: Readonly<Record<string, unknown>>;
  now?: Date;
}): Report {
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    command: input.command,
    generatedAt: (input.now ?? new Date()).toISOString(),
    subjects: input.subjects,
    findings: [...input.findings].sort((a, b) => compareSeverityDesc(a.severity, b.severity)),
    rules: input.rules ?? [],
    diagnostics: input.diagnostics ?? [],
    ...(input.artifact === undefined ? {} : { artifact: input.artifact }),
  };
}

export function summarize(findings: readonly Finding[]): Summary {
  const byOutcome: Record<OutcomeKind, number> = { pass: 0, fail: 0, skip: 0, 'not-applicable': 0 };
  const failuresBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) {
    byOutcome[finding.outcome.kind] += 1;
    if (finding.outcome.kind === 'fail') failuresBySeverity[finding.severity] += 1;
  }
  return { byOutcome, failuresBySeverity, total: findings.length };
}
