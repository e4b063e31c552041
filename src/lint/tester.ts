// RuleTester in the spirit of ESLint's: runs one rule over each valid snippet (no finding allowed) and each invalid
// snippet (exactly the expected findings: line, column and message each), and throws a readable error on a mismatch.
import { lintDockerfile } from './lint.js';
import { DEFAULT_SETTINGS, type ExpectedError, type LintRule, type RuleSettings } from './rule.js';

export interface RuleTestFailure {
  readonly code: string;
  readonly expected: readonly ExpectedError[];
  readonly actual: readonly ExpectedError[];
  /** Ids of findings that came from another rule than the one under test. */
  readonly foreignIds: readonly string[];
}

function settingsFor(partial: Partial<RuleSettings> | undefined): RuleSettings {
  return { ...DEFAULT_SETTINGS, ...partial };
}

function byPosition(a: ExpectedError, b: ExpectedError): number {
  return a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}

function findingsOf(
  rule: LintRule,
  code: string,
  settings: RuleSettings,
): { found: ExpectedError[]; foreignIds: string[] } {
  const result = lintDockerfile(code, 'Dockerfile', { rules: [rule], settings });
  const problems = result.diagnostics.filter((d) => d.level === 'error').map((d) => d.message);
  if (problems.length > 0) throw new Error(`${rule.meta.id} crashed on:\n${code}\n${problems.join('\n')}`);
  const found = result.findings
    .map((f) => ({
      line: f.target.kind === 'file' ? f.target.line : 0,
      column: f.target.kind === 'file' ? f.target.column : 0,
      message: f.message,
    }))
    .sort(byPosition);
  return { found, foreignIds: result.findings.map((f) => f.ruleId).filter((id) => id !== rule.meta.id) };
}

function same(a: readonly ExpectedError[], b: readonly ExpectedError[]): boolean {
  const key = (e: ExpectedError): string => `${e.line}:${e.column}:${e.message}`;
  return JSON.stringify(a.map(key)) === JSON.stringify(b.map(key));
}

/** Returns every failing case of a rule's table (empty when the rule passes its own tests). */
export function runRuleTests(rule: LintRule): RuleTestFailure[] {
  const failures: RuleTestFailure[] = [];
  for (const valid of rule.cases.valid) {
    const code = typeof valid === 'string' ? valid : valid.code;
    const settings = settingsFor(typeof valid === 'string' ? undefined : valid.settings);
    const { found, foreignIds } = findingsOf(rule, code, settings);
    if (found.length > 0) failures.push({ code, expected: [], actual: found, foreignIds });
  }
  for (const invalid of rule.cases.invalid) {
    const { found, foreignIds } = findingsOf(rule, invalid.code, settingsFor(invalid.settings));
    const expected = [...invalid.errors].sort(byPosition);
    if (!same(found, expected) || foreignIds.length > 0)
      failures.push({ code: invalid.code, expected, actual: found, foreignIds });
  }
  return failures;
}

function formatErrors(errors: readonly ExpectedError[]): string {
  return errors.length === 0
    ? '  (none)'
    : errors.map((e) => `  ${e.line}:${e.column} ${e.message}`).join('\n');
}

export function formatFailures(rule: LintRule, failures: readonly RuleTestFailure[]): string {
  return failures
    .map(
      (f) =>
        `${rule.meta.id}: findings differ\n--- code\n${f.code}\n--- expected\n${formatErrors(f.expected)}\n--- actual\n${formatErrors(f.actual)}${f.foreignIds.length > 0 ? `\n--- from other rules: ${f.foreignIds.join(', ')}` : ''}`,
    )
    .join('\n\n');
}
