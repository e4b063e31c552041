// Lints many Dockerfiles in one process and builds the Report: resolves files and globs, reads each file as
// untrusted text, applies config, and keeps going past a bad file (recorded as an error diagnostic).
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Report } from '../shared/report.js';
import { createReport } from '../shared/report.js';
import { BulkheadError, describeError } from '../shared/errors.js';
import type { Finding } from '../shared/finding.js';
import type { LintConfig } from './config.js';
import { decodeDockerfile, expandTarget, readDockerfile } from './files.js';
import { lintDockerfile } from './lint.js';
import type { LintRule } from './rule.js';
import { LINT_RULES } from './rules/index.js';
import { shellcheckAvailable, shellcheckRule } from './shellcheck.js';

export interface LintRunInput {
  /** Files, directories, globs, or `-` for stdin; empty means ./Dockerfile. */
  readonly targets: readonly string[];
  readonly cwd: string;
  readonly config: LintConfig;
  readonly shellcheck: boolean;
  readonly readStdin: () => Promise<Buffer>;
  readonly rules?: readonly LintRule[];
}

export interface LintRunResult {
  readonly report: Report;
  /** Files that could not be read: the command exits 2 after printing the rest. */
  readonly unreadable: number;
}

export async function runLint(input: LintRunInput): Promise<LintRunResult> {
  const targets = input.targets.length === 0 ? ['Dockerfile'] : input.targets;
  const files: string[] = [];
  for (const target of targets) files.push(...expandTarget(target, input.cwd));

  const rules: LintRule[] = [...(input.rules ?? LINT_RULES)];
  const diagnostics: Diagnostic[] = [];
  if (input.shellcheck) {
    if (shellcheckAvailable()) rules.push(shellcheckRule());
    else
      diagnostics.push({
        level: 'warning',
        subject: 'shellcheck',
        message: 'shellcheck is not installed; ShellCheck checks skipped (apt-get install shellcheck)',
      });
  }

  const findings: Finding[] = [];
  let unreadable = 0;
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    let source: string;
    try {
      source =
        file === '-' ? decodeDockerfile(await input.readStdin(), '<stdin>') : readDockerfile(file, input.cwd);
    } catch (error) {
      if (!(error instanceof BulkheadError)) throw error;
      unreadable += 1;
      diagnostics.push({ level: 'error', subject: file, message: describeError(error) });
      continue;
    }
    const result = lintDockerfile(source, file === '-' ? '<stdin>' : file, {
      rules,
      settings: {
        trustedRegistries: input.config.trustedRegistries,
        labelSchema: input.config.labelSchema,
        strictLabels: input.config.strictLabels,
      },
      ignore: input.config.ignore,
      ignorePragmas: !input.config.disableIgnorePragma,
      severity: input.config.severity,
    });
    for (const item of result.findings) findings.push(item);
    for (const item of result.diagnostics) diagnostics.push(item);
  }
  const report = createReport({
    command: 'lint',
    subjects: [...seen].map((f) => (f === '-' ? '<stdin>' : f)),
    findings,
    rules: rules.map((r) => r.meta),
    diagnostics,
  });
  return { report, unreadable };
}
