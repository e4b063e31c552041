// Which CVEs a loaded kernel live patch says it fixes, from the three places that say so: the names of patches in
// /sys/kernel/livepatch (kpatch modules built with a CVE in their name, "kpatch_cve_2023_0045"), Canonical
// Livepatch's `canonical-livepatch status --format json` (each status entry's "fixes" text lists "cve-YYYY-NNNN"
// lines; only the running kernel's entry counts) and KernelCare's `kcarectl --patch-info` ("kpatch-cve:" lines).
// A patch whose name says no CVE (Canonical's "lkp_Ubuntu_...") removes nothing: only what a source names.
import { execFileSync } from 'node:child_process';

export interface LivepatchCve {
  readonly cve: string;
  /** Where the claim came from ("/sys/kernel/livepatch/kpatch_cve_2023_0045", "kcarectl --patch-info"). */
  readonly source: string;
}

const CVE = /cve[-_](\d{4})[-_](\d{4,})/gi;

function cvesIn(text: string): string[] {
  return [...new Set([...text.matchAll(CVE)].map((m) => `CVE-${m[1] ?? ''}-${m[2] ?? ''}`))];
}

/** CVE ids in the names of loaded (enabled) live patches. */
export function cvesFromPatchNames(patches: readonly { name: string; enabled: boolean }[]): LivepatchCve[] {
  return patches
    .filter((p) => p.enabled)
    .flatMap((p) => cvesIn(p.name).map((cve) => ({ cve, source: `/sys/kernel/livepatch/${p.name}` })));
}

/** `canonical-livepatch status --format json`: the running kernel's applied fixes. */
export function cvesFromCanonicalStatus(text: string): LivepatchCve[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const source = 'canonical-livepatch status';
  const out: LivepatchCve[] = [];
  const field = (o: unknown, name: string): unknown => {
    if (typeof o !== 'object' || o === null) return undefined;
    const key = Object.keys(o).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : (o as Record<string, unknown>)[key];
  };
  const status = field(doc, 'status');
  for (const entry of Array.isArray(status) ? (status as unknown[]) : []) {
    if (field(entry, 'running') !== true) continue;
    const livepatch = field(entry, 'livepatch');
    const state = field(livepatch, 'state') ?? field(livepatch, 'patchstate');
    if (state !== 'applied') continue;
    const fixes = field(livepatch, 'fixes');
    const lines =
      typeof fixes === 'string' ? fixes.split('\n') : Array.isArray(fixes) ? fixes.map(String) : [];
    // "* cve-2021-3444 ..." lines; an entry marked unpatched ("patched": false in newer clients) is not a fix
    for (const line of lines)
      if (!/unpatched|not applied/i.test(line)) for (const cve of cvesIn(line)) out.push({ cve, source });
    if (Array.isArray(fixes))
      for (const fix of fixes as unknown[]) {
        const name = field(fix, 'name');
        if (typeof name === 'string' && field(fix, 'patched') !== false)
          for (const cve of cvesIn(name)) out.push({ cve, source });
      }
  }
  return dedupe(out);
}

/** `kcarectl --patch-info`: "kpatch-cve: CVE-2021-3653" (several ids may share a line). */
export function cvesFromKernelCare(text: string): LivepatchCve[] {
  const out: LivepatchCve[] = [];
  for (const line of text.split('\n')) {
    const m = /^kpatch-cve:\s*(.*)$/.exec(line.trim());
    if (m !== null) for (const cve of cvesIn(m[1] ?? '')) out.push({ cve, source: 'kcarectl --patch-info' });
  }
  return dedupe(out);
}

function dedupe(list: readonly LivepatchCve[]): LivepatchCve[] {
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.cve) ? false : (seen.add(c.cve), true)));
}

/**
 * Runs a live-patch client's report on the live host (root "/") when it is installed; under --root a fixture tree
 * has no processes to ask. Bounded: 10 s, 4 MiB of output. Undefined when absent or failing.
 */
export function runLivepatchClient(
  root: string,
  binary: string,
  args: readonly string[],
  exists: (p: string) => boolean,
): string | undefined {
  if (root !== '/') return undefined;
  if (!exists(binary)) return undefined;
  try {
    return execFileSync(binary, args, {
      encoding: 'utf8',
      timeout: 10_000,
      maxBuffer: 4 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}
