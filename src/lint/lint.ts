// Runs lint rules over one parsed Dockerfile and turns their reports into Findings, applying inline suppressions,
// ignored rules and severity overrides.
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';
import type { DockerfileModel, LintInstruction, SourcePosition } from './model.js';
import { parseDockerfile } from './parse.js';
import { DEFAULT_SETTINGS, type LintRule, type ReportInput, type RuleSettings } from './rule.js';
import { NO_SUPPRESSIONS, readSuppressions } from './suppress.js';

export interface LintOptions {
  /** Rules to run; the caller passes the registry (kept out of this module so the tester can run one rule). */
  readonly rules: readonly LintRule[];
  readonly settings?: RuleSettings;
  /** Rule ids or aliases (DL3008, DS-0029) not to report. */
  readonly ignore?: readonly string[];
  /** Severity per rule id or alias. */
  readonly severity?: Readonly<Record<string, Severity>>;
  /** Honour `# hadolint ignore=` / `# bulkhead ignore=` comments (default); false for `disable-ignore-pragma`. */
  readonly ignorePragmas?: boolean;
}

export interface LintResult {
  readonly model: DockerfileModel;
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly Diagnostic[];
}

function firstLine(instruction: LintInstruction): string {
  const head = `${instruction.keyword} ${instruction.flags.map((f) => `--${f.name}${f.value === null ? '' : `=${f.value}`} `).join('')}${instruction.text}`;
  const line = head.split('\n', 1)[0] ?? head;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function positionOf(input: ReportInput): SourcePosition & { endLine?: number; endColumn?: number } {
  if (input.at !== undefined) return input.at;
  const { command, instruction } = input;
  if (command !== undefined) {
    const start = instruction.scriptPosition(command.line, command.column);
    const end = instruction.scriptPosition(command.endLine, command.endColumn);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }
  return {
    line: instruction.line,
    column: instruction.column,
    endLine: instruction.endLine,
    endColumn: instruction.endColumn,
  };
}

function commandText(input: ReportInput): string | undefined {
  const c = input.command;
  if (c === undefined) return undefined;
  const words = [c.name, ...c.args.map((a) => (/\s/.test(a.text) ? `'${a.text}'` : a.text))].join(' ');
  return words.length > 160 ? `${words.slice(0, 157)}...` : words;
}

export function lintModel(model: DockerfileModel, options: LintOptions): LintResult {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const ignored = new Set((options.ignore ?? []).map((s) => s.toUpperCase()));
  const overrides = new Map(Object.entries(options.severity ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  const suppressions = options.ignorePragmas === false ? NO_SUPPRESSIONS : readSuppressions(model);
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = model.problems
    .filter((p) => p.message === 'file with no instructions')
    .map((p) => ({ level: 'warning', subject: `${model.path}:${p.line}:${p.column}`, message: p.message }));

  for (const rule of options.rules) {
    const ids = [rule.meta.id, ...rule.meta.aliases].map((s) => s.toUpperCase());
    if (ids.some((id) => ignored.has(id))) continue;
    const ruleSeverity = ids.map((id) => overrides.get(id)).find((s) => s !== undefined);
    const seen = new Set<string>();
    const report = (input: ReportInput): void => {
      const pos = positionOf(input);
      const extra = (input.aliases ?? []).map((s) => s.toUpperCase());
      if (extra.some((id) => ignored.has(id))) return;
      if (suppressions.isSuppressed([...ids, ...extra], pos.line)) return;
      const severity =
        extra.map((id) => overrides.get(id)).find((s) => s !== undefined) ??
        ruleSeverity ??
        input.severity ??
        rule.meta.severity;
      const key = `${pos.line}:${pos.column}:${input.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({
        ruleId: rule.meta.id,
        aliases: [...rule.meta.aliases, ...(input.aliases ?? [])],
        severity,
        title: rule.meta.title,
        message: input.message,
        outcome: { kind: 'fail' },
        evidence: [
          {
            source: `line ${pos.line}`,
            value: input.evidence ?? commandText(input) ?? firstLine(input.instruction),
          },
        ],
        target: {
          kind: 'file',
          path: model.path,
          line: pos.line,
          column: pos.column,
          ...(pos.endLine === undefined ? {} : { endLine: pos.endLine }),
          ...(pos.endColumn === undefined ? {} : { endColumn: pos.endColumn }),
        },
        remediation: rule.meta.remediation,
        references: rule.meta.references,
      });
    };
    try {
      rule.check({ model, settings, report });
    } catch (error) {
      // A rule bug must not hide the other rules' findings: report it and go on.
      diagnostics.push({
        level: 'error',
        subject: model.path,
        message: `rule ${rule.meta.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  findings.sort((a, b) => lineOf(a) - lineOf(b) || a.ruleId.localeCompare(b.ruleId));
  return { model, findings, diagnostics };
}

function lineOf(finding: Finding): number {
  return finding.target.kind === 'file' ? finding.target.line : 0;
}

export function lintDockerfile(source: string, path: string, options: LintOptions): LintResult {
  return lintModel(parseDockerfile(source, path), options);
}
