// RuleTester in the spirit of ESLint's: runs one rule over each valid snippet (no finding allowed) and each invalid
// snippet (exactly the expected lines), and throws a readable error on the first mismatch.
import { lintDockerfile } from './lint.js';
import { DEFAULT_SETTINGS, type LintRule, type RuleSettings } from './rule.js';

export interface RuleTestFailure {
  readonly code: string;
  readonly expected: readonly number[];
  readonly actual: readonly number[];
  readonly messages: readonly string[];
}

function settingsFor(partial: Partial<RuleSettings> | undefined): RuleSettings {
  return { ...DEFAULT_SETTINGS, ...partial };
}

function linesFound(
  rule: LintRule,
  code: string,
  settings: RuleSettings,
): { lines: number[]; messages: string[]; ids: string[] } {
  const result = lintDockerfile(code, 'Dockerfile', { rules: [rule], settings });
  const problems = result.diagnostics.filter((d) => d.level === 'error').map((d) => d.message);
  if (problems.length > 0) throw new Error(`${rule.meta.id} crashed on:\n${code}\n${problems.join('\n')}`);
  const lines = result.findings
    .map((f) => (f.target.kind === 'file' ? f.target.line : 0))
    .sort((a, b) => a - b);
  return {
    lines,
    messages: result.findings.map((f) => f.message),
    ids: result.findings.map((f) => f.ruleId),
  };
}

/** Returns every failing case of a rule's table (empty when the rule passes its own tests). */
export function runRuleTests(rule: LintRule): RuleTestFailure[] {
  const failures: RuleTestFailure[] = [];
  for (const valid of rule.cases.valid) {
    const code = typeof valid === 'string' ? valid : valid.code;
    const settings = settingsFor(typeof valid === 'string' ? undefined : valid.settings);
    const found = linesFound(rule, code, settings);
    if (found.lines.length > 0)
      failures.push({ code, expected: [], actual: found.lines, messages: found.messages });
  }
  for (const invalid of rule.cases.invalid) {
    const found = linesFound(rule, invalid.code, settingsFor(invalid.settings));
    const expected = invalid.errors.map((e) => e.line).sort((a, b) => a - b);
    const sameLines = JSON.stringify(found.lines) === JSON.stringify(expected);
    const rightId = found.ids.every((id) => id === rule.meta.id);
    if (!sameLines || !rightId)
      failures.push({ code: invalid.code, expected, actual: found.lines, messages: found.messages });
  }
  return failures;
}

export function formatFailures(rule: LintRule, failures: readonly RuleTestFailure[]): string {
  return failures
    .map(
      (f) =>
        `${rule.meta.id}: expected findings on lines [${f.expected.join(', ')}], got [${f.actual.join(', ')}]\n--- code\n${f.code}\n--- messages\n${f.messages.join('\n')}`,
    )
    .join('\n\n');
}
