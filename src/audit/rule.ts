// The audit rule contract: one rule = metadata (stable id, CIS Docker Benchmark v1.6.0 and v1.8.0 sections,
// severity, rationale, remediation) + one function from facts to outcomes (DESIGN.md "Contracts", ESLint's
// meta + create shape). Rules read facts only: they never call Docker or read files.
import type { Facts } from '../facts/index.js';
import type { Evidence, Outcome, Target } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';

/** The layer a rule audits; also the first part of its id (BH-H, BH-D, BH-F, BH-C, BH-I). */
export type Area = 'host' | 'daemon' | 'files' | 'container' | 'image';
export const AREAS: readonly Area[] = ['host', 'daemon', 'files', 'container', 'image'];

/** CIS Docker Benchmark section numbers; absent when the benchmark has no such item. */
export interface CisSections {
  readonly v160?: readonly string[];
  readonly v180?: readonly string[];
}

/** What a rule needs: host facts (--root), Engine API facts, or both. */
export type RuleNeeds = 'host' | 'engine' | 'both';

/** Settings from the config file that rules read (allow-lists). */
export interface AuditSettings {
  /** Registries images may come from ("docker.io", "registry.example.com:5000"); empty means no allow-list. */
  readonly trustedRegistries: readonly string[];
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

export interface AuditRule {
  /** Stable id, never reused: BH-<area letter>-<3 digits>. */
  readonly id: string;
  readonly area: Area;
  readonly cis: CisSections;
  readonly severity: Severity;
  readonly title: string;
  readonly rationale: string;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly needs: RuleNeeds;
  readonly check: (ctx: AuditContext) => readonly Check[];
}

/** "CIS-1.6.0:5.4"-style aliases of a rule, v1.6.0 first. */
export function cisAliases(rule: Pick<AuditRule, 'cis'>): string[] {
  return [
    ...(rule.cis.v160 ?? []).map((s) => `CIS-1.6.0:${s}`),
    ...(rule.cis.v180 ?? []).map((s) => `CIS-1.8.0:${s}`),
  ];
}
