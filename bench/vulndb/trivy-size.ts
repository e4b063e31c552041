// A lower bound on the size of Trivy's BoltDB vulnerability database holding the same records as a bulkhead
// database: trivy-db's layout (platform bucket -> package bucket -> vulnerability id -> JSON advisory; a
// "vulnerability" bucket of JSON details; a "data-source" bucket) with bbolt's fixed per-element costs and no
// page slack, branch pages or freelist, so the real file can only be bigger.
import Database from 'better-sqlite3';

/** bbolt leafPageElement (flags, pos, ksize, vsize) */
const ELEMENT = 16;
/** bbolt bucket header stored as the value of a bucket key (root pgid + sequence) */
const BUCKET = 16;

const SEVERITY: Readonly<Record<number, number>> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4 };
// trivy-db's types.Status: fixed = 3 (omitted when a FixedVersion is given), affected = 2, will_not_fix = 4,
// fix_deferred = 5, end_of_life = 6
const STATUS: Readonly<Record<number, number | undefined>> = { 0: undefined, 1: 2, 2: 5, 3: 4, 4: 6 };

function platform(ecosystem: string, release: string): string {
  const debian: Record<string, string> = {
    wheezy: '7',
    jessie: '8',
    stretch: '9',
    buster: '10',
    bullseye: '11',
    bookworm: '12',
    trixie: '13',
    sid: 'sid',
  };
  if (ecosystem === 'debian') return `debian ${debian[release] ?? release}`;
  if (ecosystem === 'ubuntu') return `ubuntu ${release}`;
  if (ecosystem === 'alpine') return `alpine ${release}`;
  return ecosystem;
}

export function trivyLowerBound(path: string): number {
  const db = new Database(path, { readonly: true });
  let bytes = 0;
  const seenPlatforms = new Set<string>();
  const seenPackages = new Set<string>();
  const rows = db
    .prepare<
      [],
      {
        ecosystem: string;
        release: string;
        package: string;
        name: string;
        status: number;
        fixed: string | null;
        severity: number | null;
        aliases: string | null;
      }
    >(
      `SELECT r.ecosystem AS ecosystem, r.release AS release, a.package AS package, v.name AS name, a.status AS status,
              a.fixed AS fixed, a.severity AS severity, v.aliases AS aliases
         FROM affected a JOIN releases r ON r.id = a.release JOIN vulns v ON v.id = a.vuln`,
    )
    .all();
  for (const r of rows) {
    const p = platform(r.ecosystem, r.release);
    if (!seenPlatforms.has(p)) {
      seenPlatforms.add(p);
      bytes += ELEMENT + p.length + BUCKET;
    }
    const pk = `${p}\u0000${r.package}`;
    if (!seenPackages.has(pk)) {
      seenPackages.add(pk);
      bytes += ELEMENT + r.package.length + BUCKET;
    }
    const advisory: Record<string, unknown> = {};
    if (r.fixed !== null) advisory['FixedVersion'] = r.fixed;
    const status = STATUS[r.status];
    if (r.fixed === null && status !== undefined) advisory['Status'] = status;
    if (r.severity !== null) advisory['Severity'] = SEVERITY[r.severity] ?? 0;
    const vendor = (r.aliases ?? '').split(' ').filter((a) => /^(DSA|DLA|USN|XSA)-/.test(a));
    if (vendor.length > 0) advisory['VendorIDs'] = vendor;
    bytes += ELEMENT + r.name.length + JSON.stringify(advisory).length;
  }
  // "vulnerability" bucket: one JSON detail per id that has a description
  bytes += ELEMENT + 'vulnerability'.length + BUCKET;
  for (const v of db
    .prepare<[], { name: string; description: string | null }>(
      'SELECT name, description FROM vulns WHERE description IS NOT NULL',
    )
    .all()) {
    bytes += ELEMENT + v.name.length + JSON.stringify({ Description: v.description }).length;
  }
  // "data-source" bucket: one entry per platform
  bytes += ELEMENT + 'data-source'.length + BUCKET;
  for (const p of seenPlatforms)
    bytes += ELEMENT + p.length + JSON.stringify({ ID: 'x', Name: 'x', URL: 'https://x' }).length;
  db.close();
  return bytes;
}
