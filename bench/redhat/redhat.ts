// Red Hat family benchmarks, written to bench/results/redhat.md: importing the shared AlmaLinux, Rocky and Red Hat
// (VEX, RHSA, repository-to-cpe) fixtures and a synthetic AlmaLinux OSV all.zip of ~5,700 records (the shared 49
// records cloned under new ids, so real shapes: 215-package glibc, module streams), time and database size; and a
// scan of an AlmaLinux 9 rpm image (docker-archive with the shared rpmdb.sqlite and ~60 MB of files) against the
// floor of merely reading its bytes (`cat` for the tar, `gunzip -c` for the gzip). Usage: node --import tsx bench/redhat/redhat.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVulnDb } from '../../src/vulndb/db.js';
import { FeedImporter } from '../../src/vulndb/import.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATA = join(ROOT, '..', 'shared', 'data');
const RUNS = 3;
const work = mkdtempSync(join(tmpdir(), 'bh-bench-redhat-'));

async function importOnce(
  inputs: readonly string[],
  name: string,
): Promise<{ ms: number; bytes: number; advisories: number }> {
  const path = join(work, `${name}.sqlite`);
  rmSync(path, { force: true });
  const start = performance.now();
  const report = await buildVulnDb(path, { merge: false, toolVersion: 'bench' }, (w) =>
    w.transaction(() => {
      const importer = new FeedImporter(w);
      for (const input of inputs) importer.addPath(input);
      importer.flush('osv');
      return importer.report;
    }),
  );
  const ms = performance.now() - start;
  return {
    ms,
    bytes: statSync(path).size,
    advisories: report.sources.reduce((n, s) => n + s.stats.records, 0),
  };
}

/** ~5,700 AlmaLinux records: the 49 shared ones cloned with fresh ids into one all.zip (written by Python's zipfile). */
function syntheticAlmaZip(count: number): string {
  const records = ['almalinux8', 'almalinux9'].flatMap((dir) =>
    readdirSync(join(DATA, 'vulndb/alma', dir)).map(
      (f) => JSON.parse(readFileSync(join(DATA, 'vulndb/alma', dir, f), 'utf8')) as { id: string },
    ),
  );
  const dir = join(work, 'alma-synthetic');
  mkdirSync(dir);
  for (let i = 0; i < count; i++) {
    const base = records[i % records.length] ?? { id: 'x' };
    const id = `ALSA-2099:${String(i).padStart(5, '0')}`;
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...base, id }));
  }
  const zip = join(work, 'AlmaLinux-all.zip');
  execFileSync('python3', [
    '-c',
    'import sys,os,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nfor f in sorted(os.listdir(sys.argv[2])): z.write(os.path.join(sys.argv[2],f),f)\nz.close()',
    zip,
    dir,
  ]);
  rmSync(dir, { recursive: true, force: true });
  return zip;
}

/** A one-layer docker-archive: AlmaLinux 9 os-release, the shared rpmdb.sqlite, and host files as bulk. */
function rpmImage(): { tar: string; gz: string; bytes: number } {
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  mkdirSync(join(rootfs, 'var/lib/rpm'), { recursive: true });
  writeFileSync(
    join(rootfs, 'etc/os-release'),
    'ID="almalinux"\nVERSION_ID="9.8"\nPRETTY_NAME="AlmaLinux 9.8"\n',
  );
  writeFileSync(
    join(rootfs, 'var/lib/rpm/rpmdb.sqlite'),
    readFileSync(join(DATA, 'packages/rpm-sqlite/preflight-fedora36-rpmdb.sqlite')),
  );
  execFileSync('bash', [
    '-c',
    `mkdir -p '${rootfs}/usr' && cp -r /usr/share/doc '${rootfs}/usr/doc' 2>/dev/null; cp -r /usr/lib/python3 '${rootfs}/usr/python3' 2>/dev/null; true`,
  ]);
  const dir = join(work, 'archive');
  mkdirSync(dir);
  execFileSync('tar', ['-C', rootfs, '-cf', join(dir, 'layer.tar'), '.']);
  const diffId = `sha256:${createHash('sha256')
    .update(readFileSync(join(dir, 'layer.tar')))
    .digest('hex')}`;
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: 'bench' }],
    }),
  );
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: ['bench/alma9:latest'], Layers: ['layer.tar'] }]),
  );
  const tar = join(work, 'alma9.tar');
  execFileSync('tar', ['-C', dir, '-cf', tar, 'manifest.json', 'config.json', 'layer.tar']);
  const gz = `${tar}.gz`;
  execFileSync('sh', ['-c', `gzip -c '${tar}' > '${gz}'`]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(rootfs, { recursive: true, force: true });
  return { tar, gz, bytes: statSync(tar).size };
}

function timeShell(command: string): number {
  const start = performance.now();
  execFileSync('bash', ['-c', command]);
  return performance.now() - start;
}

function scanOnce(
  target: string,
  db: string,
): { ms: number; maxRssMiB: number; packages: number; findings: number } {
  const r = spawnSync('node', ['--import', 'tsx', join(ROOT, 'bench/scan/run-one.ts'), target, db], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ms: number; maxRssMiB: number; packages: number; findings: number };
}

const best = (xs: readonly number[]): number => Math.min(...xs);
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

try {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const fixtures = [
    join(DATA, 'vulndb/alma'),
    join(DATA, 'vulndb/rocky'),
    join(DATA, 'vulndb/redhat/vex'),
    join(DATA, 'vulndb/redhat/rhsa'),
    join(DATA, 'vulndb/redhat/csaf-trivy-db'),
  ];
  const rows: string[] = [];
  const fixtureRuns = [];
  for (let i = 0; i < RUNS; i++) fixtureRuns.push(await importOnce(fixtures, 'fixtures'));
  const f = fixtureRuns[0] ?? { bytes: 0, advisories: 0, ms: 0 };
  rows.push(
    `| shared fixtures (49 Alma, 3 Rocky, 9 VEX incl. the 5-file .tar.zst, 3 RHSA, CPE map) | ${best(fixtureRuns.map((r) => r.ms)).toFixed(0)} ms | ${kb(f.bytes)} | ${f.advisories} documents |`,
  );
  const zip = syntheticAlmaZip(5700);
  const zipRuns = [];
  for (let i = 0; i < RUNS; i++) zipRuns.push(await importOnce([zip], 'synthetic'));
  const z = zipRuns[0] ?? { bytes: 0, advisories: 0, ms: 0 };
  rows.push(
    `| synthetic AlmaLinux all.zip, 5,700 records (${kb(statSync(zip).size)} zip) | ${best(zipRuns.map((r) => r.ms)).toFixed(0)} ms | ${kb(z.bytes)} | ${z.advisories} records |`,
  );
  const dbPath = join(work, 'fixtures.sqlite');
  await importOnce(fixtures, 'fixtures');
  const image = rpmImage();
  const scanRows: string[] = [];
  for (const [label, target, floorCmd] of [
    ['docker-archive tar', image.tar, `cat '${image.tar}' > /dev/null`],
    ['gzip of it', image.gz, `gunzip -c '${image.gz}' > /dev/null`],
  ] as const) {
    const scans = [];
    const floors = [];
    for (let i = 0; i < RUNS; i++) {
      scans.push(scanOnce(target, dbPath));
      floors.push(timeShell(floorCmd));
    }
    const s = scans[0] ?? { packages: 0, findings: 0, maxRssMiB: 0, ms: 0 };
    scanRows.push(
      `| ${label} (${(statSync(target).size / 1048576).toFixed(1)} MiB) | ${best(scans.map((x) => x.ms))} ms | ${best(floors).toFixed(0)} ms (${label.startsWith('gzip') ? 'gunzip -c' : 'cat'}) | ${best(scans.map((x) => x.maxRssMiB))} MiB | ${s.packages} | ${s.findings} |`,
    );
  }
  const md = [
    '# Red Hat family benchmarks',
    '',
    `Measured by \`node --import tsx bench/redhat/redhat.ts\` on ${cpus().length} cores, load average ${load} at the start (the machine is shared: absolute figures are pessimistic). Best of ${RUNS} runs.`,
    '',
    '## Import (one fresh database each run, VACUUMed)',
    '',
    '| input | time | database size | imported |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Scan of an AlmaLinux 9 rpm image vs the floor of reading it',
    '',
    'One layer: os-release, the shared Fedora 36 rpmdb.sqlite (540 KB, read in memory), host documentation and Python files as bulk. Scan = a fresh `bulkhead` process reading the archive, the rpm database, detecting against the fixture database.',
    '',
    '| target | scan | floor | peak RSS | packages | findings |',
    '|---|---|---|---|---|---|',
    ...scanRows,
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/redhat.md'), md);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
