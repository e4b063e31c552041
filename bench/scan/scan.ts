// Scan throughput and memory on the debootstrap Debian 12 image (test/harness/debian-image.ts), written to
// bench/results/scan.md. Compares the scan's wall time with the floor (merely reading the same bytes: `cat` for the
// docker-archive tar, `gunzip -c` for its gzip), and records peak RSS, also on a 4x larger image to show that memory
// does not grow with image size. Usage: node --import tsx bench/scan/scan.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { debianRootfs, makeDebianImages } from '../../test/harness/debian-image.js';
import { startEngine } from '../../test/harness/engine.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FEED = join(ROOT, '..', 'shared', 'data', 'vulndb', 'debian', 'bookworm-derived.json');
const RUNS = 3;

interface ScanRun {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  readonly packages: number;
  readonly findings: number;
  readonly layers: number;
}

/** Wall and CPU (user + sys of the children, from bash's `times`) milliseconds of a shell command. */
function timeShell(command: string): { ms: number; cpuMs: number } {
  const start = performance.now();
  const out = execFileSync('bash', ['-c', `${command}; times`], { encoding: 'utf8' });
  const ms = performance.now() - start;
  // `times` prints the shell's then the children's "user sys" as e.g. "0m2.641s 0m0.051s".
  const children = out.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { ms, cpuMs: seconds.reduce((a, b) => a + b, 0) * 1000 };
}

function best(values: readonly number[]): number {
  return Math.min(...values);
}

function scanOnce(target: string, db: string): ScanRun {
  const result = spawnSync('node', ['--import', 'tsx', join(ROOT, 'bench/scan/run-one.ts'), target, db], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`scan of ${target} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ScanRun;
}

/** A docker-archive whose one image stacks the Debian layer `copies` times (each copy a full layer blob). */
function multiplyArchive(source: string, copies: number, work: string): string {
  const dir = join(work, 'big');
  mkdirSync(dir);
  execFileSync('tar', ['-C', dir, '-xf', source]);
  const manifest = JSON.parse(execFileSync('cat', [join(dir, 'manifest.json')], { encoding: 'utf8' })) as {
    Config: string;
    Layers: string[];
  }[];
  const entry = manifest[0];
  const layer = entry?.Layers[0];
  if (entry === undefined || layer === undefined) throw new Error('unexpected archive');
  const config = JSON.parse(execFileSync('cat', [join(dir, entry.Config)], { encoding: 'utf8' })) as {
    rootfs: { diff_ids: string[] };
    history?: unknown[];
  };
  const diffId = config.rootfs.diff_ids[0] ?? '';
  const layers: string[] = [layer];
  for (let i = 1; i < copies; i += 1) {
    const name = `copy${i}/layer.tar`;
    mkdirSync(join(dir, `copy${i}`));
    copyFileSync(join(dir, layer), join(dir, name));
    layers.push(name);
  }
  config.rootfs.diff_ids = layers.map(() => diffId);
  config.history = layers.map((_, i) => ({ created_by: `copy ${i}` }));
  writeFileSync(join(dir, 'big-config.json'), JSON.stringify(config));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify([{ Config: 'big-config.json', RepoTags: ['big:latest'], Layers: layers }]),
  );
  const out = join(work, `debian12-x${copies}.tar`);
  execFileSync('tar', ['-C', dir, '-cf', out, '.']);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'bh-bench-scan-'));
try {
  const rootfs = debianRootfs();
  const engine = await startEngine();
  let archive: string;
  try {
    const images = makeDebianImages(engine, rootfs, 'bench/debian12');
    archive = join(work, 'debian12.tar');
    copyFileSync(images.dockerArchive, archive);
    images.cleanup();
  } finally {
    await engine.stop();
  }
  const gz = `${archive}.gz`;
  execFileSync('sh', ['-c', `gzip -c '${archive}' > '${gz}'`]);
  const db = join(work, 'vulndb.sqlite');
  const silent = {
    stdout: () => undefined,
    stderr: () => undefined,
    isTTY: false,
    env: process.env,
    cwd: ROOT,
  };
  if ((await runCli(['node', 'bulkhead', 'db', 'import', '--db', db, FEED], silent)) !== 0)
    throw new Error('db import failed');
  const big = multiplyArchive(archive, 4, work);

  const rows: string[] = [];
  const cases: { name: string; target: string; floor: string; floorCommand: string }[] = [
    {
      name: 'docker-archive .tar.gz',
      target: gz,
      floor: 'gunzip -c',
      floorCommand: `gunzip -c '${gz}' > /dev/null`,
    },
    {
      name: 'docker-archive .tar',
      target: archive,
      floor: 'cat',
      floorCommand: `cat '${archive}' > /dev/null`,
    },
    {
      name: 'docker-archive .tar, 4 layers (4x)',
      target: big,
      floor: 'cat',
      floorCommand: `cat '${big}' > /dev/null`,
    },
  ];
  for (const c of cases) {
    const floors: { ms: number; cpuMs: number }[] = [];
    const scans: ScanRun[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      floors.push(timeShell(c.floorCommand));
      scans.push(scanOnce(c.target, db));
    }
    const floor = best(floors.map((f) => f.ms));
    const floorCpu = best(floors.map((f) => f.cpuMs));
    const scanMs = best(scans.map((s) => s.ms));
    const cpuMs = best(scans.map((s) => s.cpuMs));
    const rss = Math.max(...scans.map((s) => s.maxRssMiB));
    const first = scans[0];
    const size = statSync(c.target).size / 1048576;
    rows.push(
      `| ${c.name} | ${size.toFixed(0)} MiB | ${first?.layers ?? 0} | ${first?.packages ?? 0} | ${first?.findings ?? 0} | ${c.floor} | ${(floor / 1000).toFixed(2)} s | ${(floorCpu / 1000).toFixed(2)} s | ${(scanMs / 1000).toFixed(2)} s | ${(cpuMs / 1000).toFixed(2)} s | ${(scanMs / floor).toFixed(2)}x | ${(cpuMs / Math.max(floorCpu, 1)).toFixed(2)}x | ${rss} MiB |`,
    );
    console.log(rows.at(-1));
  }
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  const text = [
    '# bulkhead scan benchmark',
    '',
    `Generated by \`node --import tsx bench/scan/scan.ts\` on ${new Date().toISOString()}.`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, shared with other`,
    `jobs (load average at the end: ${load}), so wall times are noisy; each figure is the best of ${RUNS} runs, peak RSS the worst.`,
    '',
    'Image: Debian 12 made by debootstrap (minbase + curl, openssl, libxml2, perl, sudo, python3-minimal; the .debs',
    'debootstrap leaves in /var/cache/apt/archives are part of the rootfs), saved with `docker save`. Database: the',
    '`bookworm-derived.json` feed imported with `bulkhead db import`. The scan runs in a fresh process per run',
    '(`bench/scan/run-one.ts`): all layers streamed, packages read, vulnerabilities matched, image rules run.',
    '"Floor" is the time merely to read the same bytes (`gunzip -c` for the gzip file, `cat` for the plain tar).',
    '',
    '| input | size | layers | packages | findings | floor | floor wall | floor CPU | scan wall | scan CPU | wall ratio | CPU ratio | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'On a loaded machine CPU time is the steadier comparison. Against the gzip floor the scan costs about what gunzip',
    "alone costs: Node's bundled zlib (Chromium's, with SIMD inflate) decompresses faster than the gzip program, which",
    'pays for the tar parsing and matching. On a plain tar the floor is a copy from the page cache, so the ratio shows',
    "the fixed cost per byte: most of it is SHA-256 over every layer to verify it against the config's diff_id (a",
    'tampered layer is reported), then tar parsing.',
    '',
    'Peak RSS includes Node and tsx themselves (about 100-110 MiB before the scan starts). The 4x image streams four',
    'times the bytes with about the same peak: memory follows the size of the package databases kept per layer, not',
    'the size of the image.',
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/scan.md'), text);
  console.log(text);
} finally {
  rmSync(work, { recursive: true, force: true });
}
