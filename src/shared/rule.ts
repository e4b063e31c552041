// The one rule model shared by every rule family (audit, lint, scan, watch, net): metadata + one check function
// + a valid/invalid case table next to it (DESIGN.md "One rule = one file"; ESLint's meta + create + RuleTester).
import type { Severity } from './severity.js';

/** Metadata of one rule, the same type for every family; docs, SARIF and the dashboard render from it. */
export interface RuleMeta {
  /** Stable id, never reused (BH-C-001, BH-DF-012, BH-IMG-003, BH-W-001, BH-N-001). */
  readonly id: string;
  /** Equivalent ids elsewhere, so their suppressions keep working: CIS sections, DL3008, DS-0002, Falco rule names. */
  readonly aliases: readonly string[];
  readonly severity: Severity;
  readonly title: string;
  /** Why it matters: the attack or failure the rule prevents. */
  readonly rationale: string;
  readonly remediation: string;
  readonly references: readonly string[];
  /** Where the generated docs describe the rule (docs/rules/<family>.md#<id>). */
  readonly docsUrl: string;
}

/** One row of a rule's case table: an input and what the rule must say about it. */
export interface RuleCase<Input, Expect> {
  readonly name?: string;
  readonly input: Input;
  readonly expect: Expect;
}

/**
 * A rule of any family: `Context` is what the family's driver hands the check (facts, a parsed Dockerfile, an
 * event), `Output` what the check returns, `Cases` the family's case-table row type.
 */
export interface Rule<Context, Output, Cases = unknown> {
  readonly meta: RuleMeta;
  readonly check: (context: Context) => Output;
  readonly cases: Cases;
}
