// Ownership and permission checks for Docker's files (CIS Docker Benchmark section 3): modes are compared
// with bit masks over group and other bits (mode & ~allowed), never as decimal numbers -- docker-bench-security
// compares `stat -c %a` numerically, so 0606 ("606" <= "660") passes there while being world-writable.
import type { FileStat } from '../facts/index.js';
import type { Evidence } from '../shared/finding.js';
import { ev, fail, notApplicable, pass, skip, type Verdict } from './check.js';
import type { AuditContext } from './rule.js';

export interface FileSpec {
  /** Which collected files this rule judges (FileStat.role values). */
  readonly roles: readonly string[];
  readonly pathFilter?: (path: string) => boolean;
  /** The most permissive allowed mode ("or more restrictive"), e.g. 0o644; per file when it varies. */
  readonly maxMode: number | ((path: string) => number);
  /** Allowed group names besides root (docker for the socket). */
  readonly groups?: (ctx: AuditContext) => readonly string[];
  /** Why the rule is not applicable when no such file was collected ("no TLS configured"). */
  readonly absent: string;
  /** The collector always stats these files: none collected means host facts are incomplete (skip, not n/a). */
  readonly alwaysCollected?: boolean;
}

export function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function ownerLabel(f: FileStat): string {
  return `${f.owner ?? String(f.uid ?? '?')}:${f.group ?? String(f.gid ?? '?')}`;
}

/** Judges every collected file of the spec's roles: all must be root-owned and within the mode mask. */
export function fileVerdict(ctx: AuditContext, spec: FileSpec): Verdict {
  const seen = new Set<string>();
  const files = ctx.facts.host.files.filter((f) => {
    if (!spec.roles.includes(f.role) || (spec.pathFilter !== undefined && !spec.pathFilter(f.path)))
      return false;
    if (seen.has(f.path)) return false; // one file under two roles ("docker socket in use" and "docker socket")
    seen.add(f.path);
    return true;
  });
  if (files.length === 0)
    return spec.alwaysCollected === true
      ? skip(`${spec.absent}: host file facts are incomplete`)
      : notApplicable(spec.absent);
  const unreadable = files.filter((f) => f.error !== undefined);
  const present = files.filter((f) => f.exists && f.mode !== undefined);
  if (present.length === 0) {
    if (unreadable.length > 0)
      return skip(`cannot stat ${unreadable.map((f) => `${f.path} (${f.error ?? ''})`).join(', ')}`);
    return notApplicable(`${files.map((f) => f.path).join(', ')} does not exist`);
  }
  const groups = new Set(['root', ...(spec.groups?.(ctx) ?? [])]);
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  const problems: string[] = [];
  for (const f of present) {
    const mode = f.mode ?? 0;
    const allowed = typeof spec.maxMode === 'number' ? spec.maxMode : spec.maxMode(f.path);
    const extra = mode & 0o7777 & ~allowed;
    const ownerOk = f.uid === 0;
    const groupOk = f.gid === 0 || (f.group !== undefined && groups.has(f.group));
    const modeEvidence = ev(
      `${f.path} mode`,
      f.modeOctal ?? octal(mode),
      `${octal(allowed)} or more restrictive (mode & ${octal(~allowed & 0o7777)} == 0)`,
    );
    const ownerEvidence = ev(`${f.path} owner`, ownerLabel(f), `root:${[...groups].join('|')}`);
    if (extra !== 0) {
      const who = [
        extra & 0o7 ? 'others' : '',
        extra & 0o70 ? 'group' : '',
        extra & 0o7700 ? 'special bits/owner' : '',
      ]
        .filter(Boolean)
        .join(' and ');
      problems.push(`${f.path} is ${f.modeOctal ?? octal(mode)}: extra access for ${who}`);
      bad.push(modeEvidence);
    } else good.push(modeEvidence);
    if (!ownerOk || !groupOk) {
      problems.push(`${f.path} is owned by ${ownerLabel(f)}`);
      bad.push(ownerEvidence);
    } else good.push(ownerEvidence);
  }
  if (problems.length > 0) return fail(problems.join('; '), ...bad);
  return pass(
    present.map((f) => `${f.path} ${f.modeOctal ?? octal(f.mode ?? 0)} ${ownerLabel(f)}`).join(', '),
    ...good,
  );
}
