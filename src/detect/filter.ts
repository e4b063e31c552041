// Scan result filters: --severity, --ignore-unfixed, and ignore rules (read and parsed by
// src/collect/ignore-file.ts; the detector never reads files). An expired rule stops ignoring and is reported.
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';

export interface IgnoreRule {
  /** Vulnerability id (or any of its aliases: a CVE also matches the DSA that fixes it). */
  readonly id: string;
  /** Binary or source package name; absent = every package. */
  readonly package?: string;
  /** The first day the rule no longer applies (UTC), "YYYY-MM-DD". */
  readonly expires?: string;
  readonly reason?: string;
  /** 1-based line in the ignore file. */
  readonly line: number;
}

export interface IgnoreRules {
  /** The file the rules came from. */
  readonly source: string;
  readonly rules: readonly IgnoreRule[];
}

export interface ScanFilterOptions {
  readonly severities?: readonly Severity[];
  readonly ignoreUnfixed?: boolean;
  readonly ignore?: IgnoreRules;
  readonly now?: Date;
}

export interface ScanFilterResult {
  readonly findings: Finding[];
  /** Findings removed by an ignore rule (still worth a count in the summary). */
  readonly ignored: Finding[];
  /** Expired ignore rules, one warning each. */
  readonly diagnostics: Diagnostic[];
}

function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.getTime() >= new Date(`${rule.expires}T00:00:00Z`).getTime();
}

function matches(rule: IgnoreRule, finding: Finding): boolean {
  const ids = [
    finding.ruleId,
    ...finding.aliases,
    ...(finding.vulnerability === undefined ? [] : [finding.vulnerability.id]),
  ];
  if (!ids.includes(rule.id)) return false;
  if (rule.package === undefined) return true;
  const t = finding.target;
  return t.kind === 'package' && (t.name === rule.package || t.sourceName === rule.package);
}

/** Applies --severity, --ignore-unfixed and an ignore file, in that order. */
export function applyScanFilters(findings: readonly Finding[], options: ScanFilterOptions): ScanFilterResult {
  const now = options.now ?? new Date();
  const rules = options.ignore?.rules ?? [];
  const active = rules.filter((r) => !isExpired(r, now));
  const expired = rules.filter((r) => isExpired(r, now));
  const kept: Finding[] = [];
  const ignored: Finding[] = [];
  const revived = new Set<IgnoreRule>();
  for (const f of findings) {
    if (
      options.severities !== undefined &&
      options.severities.length > 0 &&
      !options.severities.includes(f.severity)
    )
      continue;
    if (options.ignoreUnfixed === true && f.vulnerability?.fixedVersion === null) continue;
    if (active.some((r) => matches(r, f))) {
      ignored.push(f);
      continue;
    }
    for (const r of expired) if (matches(r, f)) revived.add(r);
    kept.push(f);
  }
  const source = options.ignore?.source ?? 'ignore file';
  const diagnostics: Diagnostic[] = expired.map((r) => ({
    level: 'warning',
    subject: `${source}:${r.line}`,
    message:
      `ignore rule for ${r.id}${r.package === undefined ? '' : ` (${r.package})`} expired on ${r.expires ?? ''}` +
      (revived.has(r) ? '; the finding is reported again' : '; it matches nothing now and can be removed'),
  }));
  return { findings: kept, ignored, diagnostics };
}
