// Scan result filters: --severity, --ignore-unfixed, and ignore files — bulkhead's .bulkheadignore.yaml (entries
// with id, optional package, optional expires: YYYY-MM-DD, optional reason) and Trivy's plain .trivyignore (one
// id a line, "#" comments, optional "exp:YYYY-MM-DD"). An expired entry stops ignoring and is reported.
import { z } from 'zod';
import type { Diagnostic } from '../shared/diagnostic.js';
import { InputError } from '../shared/errors.js';
import type { Finding } from '../shared/finding.js';
import type { Severity } from '../shared/severity.js';
import { parseYaml } from '../shared/yaml.js';
import { readTextInput } from '../shared/files.js';

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

const entrySchema = z.object({
  id: z.string().trim().min(1).max(200),
  package: z.string().trim().min(1).max(200).optional(),
  expires: z
    .string()
    .trim()
    .refine(isRealDate, { message: 'expires must be a date written YYYY-MM-DD' })
    .optional(),
  reason: z.string().max(2000).optional(),
});

const PLAIN_LINE = /^([A-Za-z][A-Za-z0-9_.-]*)(?:\s+exp:(\S+))?\s*$/;

function parsePlain(text: string, path: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = PLAIN_LINE.exec(line);
    const id = m?.[1];
    if (m === null || id === undefined)
      throw new InputError(path, `expected "ID [exp:YYYY-MM-DD]"`, { position: `${index + 1}:1` });
    const expires = m[2];
    if (expires !== undefined && !isRealDate(expires)) {
      throw new InputError(path, `exp:${expires} is not a date written YYYY-MM-DD`, {
        position: `${index + 1}:1`,
      });
    }
    rules.push({ id, line: index + 1, ...(expires === undefined ? {} : { expires }) });
  });
  return rules;
}

function looksPlain(text: string): boolean {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '')
    .every((l) => PLAIN_LINE.test(l));
}

function parseYamlRules(text: string, path: string): IgnoreRule[] {
  // failsafe: every scalar stays a string (an unquoted 2026-01-31 must not become a timestamp or a number)
  const { doc, positionOf } = parseYaml(text, path, { failsafe: true, uniqueKeys: false });
  const root: unknown = doc.toJS({ maxAliasCount: 50 });
  const list: unknown =
    Array.isArray(root) || root === null || root === undefined
      ? root
      : typeof root === 'object' && ('vulnerabilities' in root || 'ignore' in root)
        ? ((root as Record<string, unknown>)['vulnerabilities'] ??
          (root as Record<string, unknown>)['ignore'])
        : undefined;
  if (list === null || list === undefined || list === '') return [];
  // where the list sits: the document itself, or under vulnerabilities:/ignore:
  const listPath = Array.isArray(root)
    ? []
    : [
        (root as Record<string, unknown>)['vulnerabilities'] === undefined ||
        (root as Record<string, unknown>)['vulnerabilities'] === null
          ? 'ignore'
          : 'vulnerabilities',
      ];
  if (!Array.isArray(list)) {
    throw new InputError(path, 'expected a list of entries, or a "vulnerabilities:" key holding one', {
      hint: 'write entries as "- id: CVE-2024-1234" with optional package, expires (YYYY-MM-DD) and reason',
    });
  }
  return (list as unknown[]).map((raw, index) => {
    const entry: unknown = typeof raw === 'string' ? { id: raw } : raw;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        path,
        `entry ${index + 1}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.replace(
          /\s+/g,
          ' ',
        ),
        {
          hint: 'each entry needs an id; package, expires (YYYY-MM-DD) and reason are optional',
        },
      );
    }
    return {
      id: parsed.data.id,
      line: Number((positionOf([...listPath, index]) ?? '0').split(':')[0]),
      ...(parsed.data.package === undefined ? {} : { package: parsed.data.package }),
      ...(parsed.data.expires === undefined ? {} : { expires: parsed.data.expires }),
      ...(parsed.data.reason === undefined ? {} : { reason: parsed.data.reason }),
    };
  });
}

/** Parses ignore-file text (bulkhead YAML or Trivy's plain format, recognised by content). */
export function parseIgnoreRules(text: string, path: string): IgnoreRules {
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  return { source: path, rules: looksPlain(clean) ? parsePlain(clean, path) : parseYamlRules(clean, path) };
}

export function loadIgnoreFile(path: string): IgnoreRules {
  return parseIgnoreRules(readTextInput(path, 'ignore file', 'check the --ignore-file path'), path);
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
