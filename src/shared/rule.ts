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

/**
 * A family's rules reference (docs/rules/<family>.md) as data: the family says what to show, report/rules-doc.ts
 * renders every family's the same way (summary table, then one section per rule from its RuleMeta).
 */
export interface RulesDocument {
  readonly title: string;
  /** Where the rules live ("src/lint/rules/"), named in the generated-file notice. */
  readonly source: string;
  /** Markdown paragraphs under the title. */
  readonly intro: readonly string[];
  /** Summary-table columns after id, severity and title (each entry gives a cell per column). */
  readonly columns: readonly string[];
  /** Rules grouped under headings (audit's areas), or one group without a heading. */
  readonly groups: readonly RulesDocumentGroup[];
}

export interface RulesDocumentGroup {
  readonly heading?: string;
  readonly entries: readonly RulesDocumentEntry[];
}

export interface RulesDocumentEntry {
  readonly meta: RuleMeta;
  /** One cell per RulesDocument column. */
  readonly cells: readonly string[];
  /** Said after the severity in the rule's first line ("needs host (--root)"). */
  readonly note?: string;
  /** Shown after the fix: examples, the case table. */
  readonly blocks: readonly RulesDocumentBlock[];
}

export type RulesDocumentBlock =
  /** A labelled example ("Reported:", a Dockerfile). */
  | { readonly kind: 'example'; readonly label: string; readonly language: string; readonly code: string }
  /** The rule's case table: each case's name and whether the rule fires on it. */
  | { readonly kind: 'cases'; readonly cases: readonly { readonly name: string; readonly fires: boolean }[] };
