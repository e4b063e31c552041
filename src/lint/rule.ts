// The shape of one Dockerfile lint rule: the shared rule model (src/shared/rule.ts: meta + one check function +
// its own valid/invalid case table, ESLint's meta + create + RuleTester) over a parsed Dockerfile.
import type { Rule, RuleMeta } from '../shared/rule.js';
import type { Severity } from '../shared/severity.js';
import type { DockerfileModel, LintInstruction, SourcePosition } from './model.js';
import type { ShellCommand } from './shell.js';

/** Settings rules may read; filled from the config file and flags. */
export interface RuleSettings {
  /** Registries base images may come from (`registry.example.com`, `docker.io/library`). Empty: rule inactive. */
  readonly trustedRegistries: readonly string[];
  /** Required labels and the kind of value each must have. */
  readonly labelSchema: Readonly<Record<string, LabelKind>>;
  /** Labels outside `labelSchema` are findings (hadolint's `strict-labels`). */
  readonly strictLabels: boolean;
}

export const LABEL_KINDS = ['text', 'url', 'email', 'semver', 'rfc3339', 'hash', 'spdx'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

export const DEFAULT_SETTINGS: RuleSettings = { trustedRegistries: [], labelSchema: {}, strictLabels: false };

export interface ReportInput {
  /** Where: an instruction (its first line), a shell command inside it, or an explicit position. */
  readonly instruction: LintInstruction;
  readonly command?: ShellCommand;
  readonly at?: SourcePosition;
  readonly message: string;
  /** The exact text that proves the finding; defaults to the instruction's first line. */
  readonly evidence?: string;
  /** Extra ids for this finding only (ShellCheck's SC2086), matched by ignore comments and config too. */
  readonly aliases?: readonly string[];
  /** Severity for this finding only, when the rule's varies (ShellCheck levels); config overrides still win. */
  readonly severity?: Severity;
}

export interface RuleContext {
  readonly model: DockerfileModel;
  readonly settings: RuleSettings;
  readonly report: (input: ReportInput) => void;
}

/** One expected finding: where it starts (1-based line and column in the snippet) and its exact message. */
export interface ExpectedError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface InvalidCase {
  readonly code: string;
  readonly settings?: Partial<RuleSettings>;
  readonly errors: readonly ExpectedError[];
}

export interface RuleTests {
  readonly valid: readonly (string | { readonly code: string; readonly settings?: Partial<RuleSettings> })[];
  readonly invalid: readonly InvalidCase[];
}

/** A lint rule: the shared rule model with a Dockerfile context, a report callback and a valid/invalid table. */
export type LintRule = Rule<RuleContext, void, RuleTests>;

export type { RuleMeta };

export function defineRule(rule: LintRule): LintRule {
  return rule;
}
