// The Report document every command hands to a renderer: findings plus what was examined and what went wrong.
import type { Finding, OutcomeKind } from '../shared/finding.js';
import { compareSeverityDesc, SEVERITIES, type Severity } from '../shared/severity.js';
import { TOOL_NAME, TOOL_VERSION } from '../shared/version.js';

export type ReportCommand = 'audit' | 'scan' | 'lint';

/** A non-fatal problem met while collecting: a skipped bad record, an unreadable file. */
export interface Diagnostic {
  readonly level: 'warning' | 'error';
  readonly subject: string;
  readonly message: string;
}

/** Metadata about one rule, so SARIF and docs can describe rules that produced no failure. */
export interface RuleDescriptor {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly aliases: readonly string[];
  readonly remediation: string;
  readonly references: readonly string[];
  readonly description?: string;
}

export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly command: ReportCommand;
  readonly generatedAt: string;
  /** What was examined: image references, Dockerfile paths, the engine address and host root. */
  readonly subjects: readonly string[];
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleDescriptor[];
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
  rules?: readonly RuleDescriptor[];
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
