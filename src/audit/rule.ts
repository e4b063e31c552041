// The audit rule contract: one rule = metadata (stable id, CIS Docker Benchmark v1.6.0 and v1.8.0 sections,
// severity, rationale, remediation) + one function from facts to outcomes (DESIGN.md "Contracts", ESLint's
// meta + create shape). Rules read facts only: they never call Docker or read files.
import type { Facts } from '../facts/index.js';
import type { Evidence, Outcome, OutcomeKind, Target } from '../shared/finding.js';
import type { Rule, RuleMeta } from '../shared/rule.js';

/** The layer a rule audits; also the first part of its id (BH-H, BH-D, BH-F, BH-C, BH-I). */
export type Area = 'host' | 'daemon' | 'files' | 'container' | 'image';
export const AREAS: readonly Area[] = ['host', 'daemon', 'files', 'container', 'image'];

/** The CIS Docker Benchmark versions whose sections rules carry as aliases ("CIS-1.6.0:5.4"). */
export type CisVersion = '1.6.0' | '1.8.0';

/** What a rule needs: host facts (--root), Engine API facts, or both. */
export type RuleNeeds = 'host' | 'engine' | 'both';

/** Settings from the config file that rules read (allow-lists). */
export interface AuditSettings {
  /** Registries images may come from ("docker.io", "registry.example.com:5000"); empty means no allow-list. */
  readonly trustedRegistries: readonly string[];
  /** Processes or ports allowed to listen on every interface besides the defaults (BH-H-021). */
  readonly allowedListeners: readonly ListenerAllow[];
}

/** One allowed wildcard listener: a process name (comm or exe path), a port, or both, with the reason. */
export interface ListenerAllow {
  readonly process?: string;
  readonly port?: number;
  readonly reason: string;
}

export interface AuditContext {
  readonly facts: Facts;
  readonly settings: AuditSettings;
}

/** One outcome of one rule for one target, with the proof. */
export interface Check {
  readonly target: Target;
  readonly outcome: Outcome;
  /** One line saying what was found ("privileged container", "socket is world-accessible"). */
  readonly message: string;
  readonly evidence: readonly Evidence[];
}

/** What one case of a rule's table expects for one target (test/audit/rules.test.ts runs every table). */
export interface AuditExpect {
  /** Target label: container name, image ref, "host" or "daemon"; omitted when the rule yields one check. */
  readonly target?: string;
  readonly outcome: OutcomeKind;
  /** Substrings that must each appear in one evidence line rendered as "source=value". */
  readonly evidence?: readonly string[];
  /** Substring of the message (or reason). */
  readonly message?: string;
}

/** One row of an audit rule's case table: facts in, the outcome expected for each target out. */
export interface AuditCase {
  readonly name: string;
  readonly facts: Facts;
  readonly expect: readonly AuditExpect[];
}

/** The one rule model (shared/rule.ts) for audit: facts in, one check per target out, a case table with both. */
export interface AuditRule extends Rule<AuditContext, readonly Check[], readonly AuditCase[]> {
  /** id is BH-<area letter>-<3 digits>; aliases are the CIS sections ("CIS-1.6.0:5.4", "CIS-1.8.0:5.5"). */
  readonly meta: RuleMeta;
  readonly area: Area;
  readonly needs: RuleNeeds;
}

/** The CIS sections of one benchmark version a rule covers, read from its aliases ("CIS-1.8.0:5.5" -> "5.5"). */
export function cisSections(meta: RuleMeta, version: CisVersion): string[] {
  const prefix = `CIS-${version}:`;
  return meta.aliases.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
}
