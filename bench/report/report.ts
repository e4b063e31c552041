// Benchmarks the JSON and SARIF reporters on synthetic scan reports of 10k, 100k and 200k vulnerability findings
// (test/harness/synthetic-report.ts): wall time to render and write the report to a file with --output's writer,
// and the process's peak RSS, each in a fresh process; beside it the pre-streaming way (one JSON.stringify of the
// whole document, then one write), which fails past V8's 2^29 - 24 character string limit. Writes
// bench/results/report.md. Run: node --import tsx bench/report/report.ts [--sizes 10000,100000,200000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { writeReport } from '../../src/cli/options.js';
import type { CliIO } from '../../src/cli/io.js';
import { jsonReportChunks } from '../../src/report/json.js';
import { sarifChunks, sarifDocument } from '../../src/report/sarif.js';
import { summarize } from '../../src/shared/report.js';
import { syntheticReport } from '../../test/harness/synthetic-report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FORMATS = ['json', 'sarif'] as const;
const WAYS = ['stream', 'stringify'] as const;
type Format = (typeof FORMATS)[number];
type Way = (typeof WAYS)[number];

interface Sample {
  readonly ms: number | null;
  readonly error: string | null;
  readonly bytes: number;
  /** RSS once the Report is built, before rendering (what the findings themselves take). */
  readonly reportRssMiB: number;
  readonly peakRssMiB: number;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

/** One measurement, in this (fresh) process. */
function measure(count: number, format: Format, way: Way): Sample {
  const report = syntheticReport(count);
  const reportRssMiB = process.memoryUsage().rss / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-bench-report-'));
  const output = join(dir, `report.${format}`);
  const io: CliIO = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {}, cwd: dir };
  const started = performance.now();
  let error: string | null = null;
  try {
    if (way === 'stream')
      writeReport(format === 'json' ? jsonReportChunks(report) : sarifChunks(report), { output }, io);
    else {
      // the renderers before they streamed
      const doc =
        format === 'json' ? { ...report, summary: summarize(report.findings) } : sarifDocument(report);
      writeFileSync(output, `${JSON.stringify(doc, null, 2)}\n`);
    }
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ms = error === null ? performance.now() - started : null;
  let bytes = 0;
  try {
    bytes = statSync(output).size;
  } catch {
    // nothing written
  }
  rmSync(dir, { recursive: true, force: true });
  return { ms, error, bytes, reportRssMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

if (process.argv[2] === '--child') {
  const [count, format, way] = process.argv.slice(3);
  process.stdout.write(JSON.stringify(measure(Number(count), format as Format, way as Way)));
} else {
  const sizes = option('--sizes', '10000,100000,200000').split(',').map(Number);
  const runs = Number(option('--runs', '3'));
  const load = loadavg().map((l) => l.toFixed(1));
  const rows: string[] = [];
  for (const count of sizes)
    for (const format of FORMATS)
      for (const way of WAYS) {
        const samples: Sample[] = [];
        for (let r = 0; r < runs; r += 1) {
          const out = execFileSync(
            process.execPath,
            ['--import', 'tsx', join(ROOT, 'bench/report/report.ts'), '--child', String(count), format, way],
            { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
          );
          samples.push(JSON.parse(out) as Sample);
          process.stderr.write(`${count} ${format} ${way}: ${out}\n`);
          if (samples.at(-1)?.error !== null) break; // a failure repeats; one is enough
        }
        const ok = samples.filter((s) => s.ms !== null);
        const failed = samples.find((s) => s.error !== null);
        rows.push(
          `| ${count.toLocaleString('en')} | ${format} | ${way === 'stream' ? 'streamed (now)' : 'one JSON.stringify (before)'} | ${
            failed === undefined
              ? median(ok.map((s) => s.ms ?? 0)).toFixed(0)
              : `fails: ${failed.error ?? ''}`
          } | ${ok.length === 0 ? '-' : (median(ok.map((s) => s.bytes)) / 2 ** 20).toFixed(0)} | ${median(samples.map((s) => s.reportRssMiB)).toFixed(0)} | ${median(samples.map((s) => s.peakRssMiB)).toFixed(0)} |`,
        );
      }
  // bounded memory: the largest streamed runs again with the V8 heap capped just above what the Report takes, so
  // a writer that held the document (or a growing part of it) would die with "heap out of memory"
  const largest = Math.max(...sizes);
  const capMiB = 640;
  const capped = FORMATS.map((format) => {
    try {
      const out = execFileSync(
        process.execPath,
        [
          `--max-old-space-size=${capMiB}`,
          '--import',
          'tsx',
          join(ROOT, 'bench/report/report.ts'),
          '--child',
          String(largest),
          format,
          'stream',
        ],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const sample = JSON.parse(out) as Sample;
      return `${format}: written (${(sample.bytes / 2 ** 20).toFixed(0)} MiB in ${(sample.ms ?? 0).toFixed(0)} ms, peak RSS ${sample.peakRssMiB.toFixed(0)} MiB)`;
    } catch (e) {
      return `${format}: failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    }
  });
  const doc = [
    '# Report writer benchmark',
    '',
    'Generated by `node --import tsx bench/report/report.ts`; do not edit by hand.',
    '',
    `Synthetic scan reports (test/harness/synthetic-report.ts: failing vulnerability findings with a Debian-length`,
    "title, two evidence lines, a package target with its layer, four references), written with `--output`'s writer",
    `to a file in ${tmpdir()}. Each figure is the median of ${runs} fresh processes (a failure is run once). "report`,
    'RSS" is the process once the Report is built (the findings themselves); "peak RSS" the whole run.',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${load.join(' ')} at the start.`,
    '',
    '| findings | format | writer | ms | MiB written | report RSS MiB | peak RSS MiB |',
    '|---:|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
    `With the V8 heap capped at ${capMiB} MiB (\`--max-old-space-size\`; the ${largest.toLocaleString('en')}-finding Report alone`,
    `takes most of it), the streamed writers still finish: ${capped.join('; ')}.`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/report.md'), doc);
  process.stdout.write(doc);
}
