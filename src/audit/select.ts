// --only / --skip selection: rule ids (BH-C-004), id prefixes (BH-C), areas (container), and CIS Docker
// Benchmark sections with the version (CIS-1.6.0:5.4, CIS-1.8.0:5) or bare (5.5 = v1.8.0, the current one);
// a section selects itself and every subsection.
import { UsageError } from '../shared/errors.js';
import { AREAS, cisSections, type AuditRule } from './rule.js';

export interface RuleSelection {
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

function sectionMatches(section: string, wanted: string): boolean {
  return section === wanted || section.startsWith(`${wanted}.`);
}

/** True when `token` names `rule`; throws nothing, unknown tokens are found by `validateTokens`. */
export function tokenMatches(token: string, rule: AuditRule): boolean {
  const t = token.trim();
  const upper = t.toUpperCase();
  const { id, aliases } = rule.meta;
  if (upper === id || id.startsWith(`${upper}-`)) return true;
  // a former id kept as an alias (BH-I-001 -> BH-IMG-001) still selects its rule
  if (aliases.some((a) => a.toUpperCase() === upper && !a.startsWith('CIS-'))) return true;
  if ((AREAS as readonly string[]).includes(t.toLowerCase())) return rule.area === t.toLowerCase();
  const cis = /^CIS-(1\.6\.0|1\.8\.0):(\d+(?:\.\d+)*)$/i.exec(t);
  if (cis !== null) {
    const [, version, section = ''] = cis;
    return cisSections(rule.meta, version === '1.6.0' ? '1.6.0' : '1.8.0').some((s) =>
      sectionMatches(s, section),
    );
  }
  if (/^\d+(?:\.\d+)*$/.test(t)) return cisSections(rule.meta, '1.8.0').some((s) => sectionMatches(s, t));
  return false;
}

/** Splits "a,b c" lists as given on the command line. */
export function splitTokens(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== '');
}

export function selectRules(rules: readonly AuditRule[], selection: RuleSelection): AuditRule[] {
  for (const [flag, tokens] of [
    ['--only', selection.only],
    ['--skip', selection.skip],
  ] as const) {
    for (const token of tokens) {
      if (!rules.some((r) => tokenMatches(token, r)))
        throw new UsageError(`${flag} ${token} matches no audit rule`, {
          subject: token,
          hint: 'use a rule id (BH-C-004), an area (host, daemon, files, container, image) or a CIS section (CIS-1.6.0:5.4, CIS-1.8.0:5.5, or 5.5 for v1.8.0); see docs/rules/audit.md',
        });
    }
  }
  return rules.filter(
    (r) =>
      (selection.only.length === 0 || selection.only.some((t) => tokenMatches(t, r))) &&
      !selection.skip.some((t) => tokenMatches(t, r)),
  );
}
