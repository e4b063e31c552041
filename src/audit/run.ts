// Runs audit rules over collected facts and turns their checks into Findings: severity overrides and waivers
// from the config file applied, a rule that throws reported as skip (never as pass), nothing else decided here.
import type { Facts } from '../facts/index.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { globMatch } from '../shared/glob.js';
import type { RuleMeta } from '../shared/rule.js';
import { describeTarget, type Finding, type Target } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';
import { daemonTarget } from './check.js';
import type { AuditRule, AuditSettings, Check } from './rule.js';

export interface Waiver {
  readonly rule: string;
  /** Glob (* and ?) over the target: container name, image reference, "host" or "daemon"; absent = every target. */
  readonly target?: string | undefined;
  readonly reason: string;
  /** YYYY-MM-DD; the waiver stops applying after this day. */
  readonly expires?: string | undefined;
}

export interface AuditOptions {
  readonly rules: readonly AuditRule[];
  readonly settings: AuditSettings;
  readonly waivers?: readonly Waiver[];
  readonly severity?: Readonly<Record<string, Severity>>;
  readonly now?: Date;
}

export interface AuditResult {
  readonly findings: Finding[];
  readonly rules: RuleMeta[];
  readonly diagnostics: Diagnostic[];
}

/** The names a waiver's target pattern is matched against. */
export function targetNames(target: Target): string[] {
  switch (target.kind) {
    case 'host':
      return ['host', target.root];
    case 'daemon':
      return ['daemon', target.address];
    case 'container':
      return [target.name, target.id, target.image];
    case 'image':
      return [target.ref, ...(target.id === undefined ? [] : [target.id])];
    case 'file':
      return [target.path];
    case 'package':
      return [target.name];
    default:
      return target satisfies never;
  }
}

function waiverActive(waiver: Waiver, now: Date): boolean {
  if (waiver.expires === undefined) return true;
  // a waiver is valid through the whole of its expiry day (UTC)
  return now.getTime() < Date.parse(`${waiver.expires}T00:00:00Z`) + 86_400_000;
}

/** The rule's metadata as the report lists it: its severity after config overrides. */
export function describeRule(rule: AuditRule, severity: Severity): RuleMeta {
  return severity === rule.meta.severity ? rule.meta : { ...rule.meta, severity };
}

export function runAudit(facts: Facts, options: AuditOptions): AuditResult {
  const now = options.now ?? new Date();
  const diagnostics: Diagnostic[] = [];
  const waivers = (options.waivers ?? []).filter((w) => {
    if (waiverActive(w, now)) return true;
    diagnostics.push({
      level: 'warning',
      subject: `waiver ${w.rule}${w.target === undefined ? '' : ` ${w.target}`}`,
      message: `expired on ${w.expires ?? ''}; not applied`,
    });
    return false;
  });
  const findings: Finding[] = [];
  const rules: RuleMeta[] = [];
  for (const rule of options.rules) {
    const { meta } = rule;
    const severity = options.severity?.[meta.id] ?? meta.severity;
    rules.push(describeRule(rule, severity));
    let checks: readonly Check[];
    try {
      checks = rule.check({ facts, settings: options.settings });
    } catch (error) {
      const reason = `rule failed to evaluate: ${error instanceof Error ? error.message : String(error)}`;
      checks = [
        { target: daemonTarget(facts), outcome: { kind: 'skip', reason }, message: reason, evidence: [] },
      ];
      diagnostics.push({ level: 'error', subject: meta.id, message: reason });
    }
    for (const check of checks) {
      let outcome = check.outcome;
      if (outcome.kind === 'fail') {
        const names = targetNames(check.target);
        const waiver = waivers.find(
          (w) =>
            (w.rule.toUpperCase() === meta.id || meta.aliases.includes(w.rule.toUpperCase())) &&
            (w.target === undefined || names.some((n) => globMatch(w.target ?? '*', n))),
        );
        if (waiver !== undefined)
          outcome = {
            kind: 'skip',
            reason: `waived: ${waiver.reason}${waiver.expires === undefined ? '' : ` (until ${waiver.expires})`}`,
          };
      }
      findings.push({
        ruleId: meta.id,
        aliases: meta.aliases,
        severity,
        title: meta.title,
        message:
          outcome.kind === 'skip' && outcome !== check.outcome
            ? `${check.message} (${outcome.reason})`
            : check.message,
        outcome,
        evidence: check.evidence,
        target: check.target,
        remediation: meta.remediation,
        references: meta.references,
      });
    }
  }
  return { findings, rules, diagnostics };
}

/** A finding's layer: its table heading ("host", "daemon", "container web", "image nginx:1") and its rank, so the
 * report reads from the host up: host, daemon, containers, images. */
export function layerOf(finding: Finding): { readonly heading: string; readonly rank: number } {
  const t = finding.target;
  switch (t.kind) {
    case 'host':
      return { heading: 'host', rank: 0 };
    case 'daemon':
      return { heading: 'daemon', rank: 1 };
    case 'container':
      return { heading: `container ${t.name}`, rank: 2 };
    case 'image':
      return { heading: `image ${t.ref}`, rank: 3 };
    case 'file':
    case 'package':
      return { heading: describeTarget(t), rank: 4 };
    default:
      return t satisfies never;
  }
}
