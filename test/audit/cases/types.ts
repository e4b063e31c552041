// A rule test case: facts in, the outcome expected for each target out (with evidence that must be shown).
import type { Facts } from '../../../src/facts/index.js';
import type { OutcomeKind } from '../../../src/shared/finding.js';

export interface Expect {
  /** Target label: container name, image ref, "host" or "daemon"; omitted when the rule yields one check. */
  readonly target?: string;
  readonly outcome: OutcomeKind;
  /** Substrings that must each appear in one evidence line rendered as "source=value". */
  readonly evidence?: readonly string[];
  /** Substring of the message (or reason). */
  readonly message?: string;
}

export interface RuleCase {
  readonly name: string;
  readonly facts: Facts;
  readonly expect: readonly Expect[];
}

export type CaseTable = Readonly<Record<string, readonly RuleCase[]>>;
