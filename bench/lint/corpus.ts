// Benchmarks `bulkhead lint` over the 47 real Dockerfiles in ../shared/data/dockerfiles in one process: module load,
// the first (cold) run, and warm runs with the shell-parse cache cleared, split into parsing (dockerfile-ast + model
// + shell parser) and rules. Runs it twice: with the native shell parser (mvdan-sh only for scripts it declines, the
// default) and with mvdan-sh alone (the "before"), each first pass in a fresh child process. Reports wall and CPU
// time (the machine is shared). Writes bench/results/lint.md.
// Run: node --import tsx bench/lint/corpus.ts [--runs 15]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type * as LintModule from '../../src/lint/lint.js';
import type * as ParseModule from '../../src/lint/parse.js';
import type * as RulesModule from '../../src/lint/rules/index.js';
import type * as ShellModule from '../../src/lint/shell.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(ROOT, '../shared/data/dockerfiles');
const runsIndex = process.argv.indexOf('--runs');
const RUNS = runsIndex === -1 ? 15 : Math.max(3, Number(process.argv[runsIndex + 1]) || 15);
const engineIndex = process.argv.indexOf('--engine');
const ENGINE = process.argv[engineIndex + 1] === 'mvdan' && engineIndex !== -1 ? 'mvdan' : 'auto';
const CHILD = process.argv.includes('--child');

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function measure(fn: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function measureAsync(fn: () => Promise<void>): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const fmt = (n: number): string => n.toFixed(1);

const files = readdirSync(DATA)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort();
const sources = files.map((f) => ({ path: f, text: readFileSync(join(DATA, f), 'utf8') }));
const lines = sources.reduce((n, s) => n + s.text.split('\n').length, 0);

let mods:
  | {
      parseDockerfile: typeof ParseModule.parseDockerfile;
      lintModel: typeof LintModule.lintModel;
      clearShellCache: typeof ShellModule.clearShellCache;
      parseShell: typeof ShellModule.parseShell;
      shell: typeof ShellModule;
      rules: typeof RulesModule.LINT_RULES;
    }
  | undefined;

const load = await measureAsync(async () => {
  const [parse, lint, shell, registry] = await Promise.all([
    import('../../src/lint/parse.js'),
    import('../../src/lint/lint.js'),
    import('../../src/lint/shell.js'),
    import('../../src/lint/rules/index.js'),
  ]);
  mods = {
    parseDockerfile: parse.parseDockerfile,
    lintModel: lint.lintModel,
    clearShellCache: shell.clearShellCache,
    parseShell: shell.parseShell,
    shell,
    rules: registry.LINT_RULES,
  };
});
if (mods === undefined) throw new Error('modules did not load');
const m = mods;
m.shell.setShellEngine(ENGINE);
let findings = 0;
const lintAll = (): { parse: Timing; rules: Timing } => {
  const models: ReturnType<typeof m.parseDockerfile>[] = [];
  const parse = measure(() => {
    for (const s of sources) models.push(m.parseDockerfile(s.text, s.path));
  });
  const rules = measure(() => {
    findings = 0;
    for (const model of models) findings += m.lintModel(model, { rules: m.rules }).findings.length;
  });
  return { parse, rules };
};

m.shell.nativeStats.handled = 0;
m.shell.nativeStats.declined = 0;
const cold = lintAll();
const coldMvdanLoaded = m.shell.mvdanLoaded();
const coverage = { ...m.shell.nativeStats };
const warm: { parse: Timing; rules: Timing }[] = [];
for (let i = 0; i < RUNS; i += 1) {
  m.clearShellCache();
  warm.push(lintAll());
}
const cached = lintAll();

const total = (t: { parse: Timing; rules: Timing }): Timing => ({
  wall: t.parse.wall + t.rules.wall,
  cpu: t.parse.cpu + t.rules.cpu,
});
const warmTotals = warm.map(total);
const medWall = median(warmTotals.map((t) => t.wall));
const medCpu = median(warmTotals.map((t) => t.cpu));
const minWall = Math.min(...warmTotals.map((t) => t.wall));
const coldTotal = total(cold);
const firstRunIncludingLoad = load.wall + coldTotal.wall;

interface Figures {
  readonly load: Timing;
  readonly cold: { parse: Timing; rules: Timing };
  readonly coldTotal: Timing;
  readonly firstRunIncludingLoad: number;
  readonly warmParse: Timing;
  readonly warmRules: Timing;
  readonly medWall: number;
  readonly medCpu: number;
  readonly minWall: number;
  readonly cached: Timing;
  readonly findings: number;
  readonly coldMvdanLoaded: boolean;
}
const figures: Figures = {
  load,
  cold,
  coldTotal,
  firstRunIncludingLoad,
  warmParse: {
    wall: median(warm.map((w) => w.parse.wall)),
    cpu: median(warm.map((w) => w.parse.cpu)),
  },
  warmRules: {
    wall: median(warm.map((w) => w.rules.wall)),
    cpu: median(warm.map((w) => w.rules.cpu)),
  },
  medWall,
  medCpu,
  minWall,
  cached: total(cached),
  findings,
  coldMvdanLoaded,
};
if (CHILD) {
  process.stdout.write(JSON.stringify(figures));
  process.exit(0);
}
// The mvdan-sh-only run, in a fresh process so that its first pass is cold too.
const before = JSON.parse(
  execFileSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--engine', 'mvdan', '--child', '--runs', String(RUNS)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 },
  ),
) as Figures;
const [l1, l5, l15] = loadavg().map((v) => v.toFixed(1));
const row = (label: string, after: Timing, was: Timing): string =>
  `| ${label} | ${fmt(after.wall)} | ${fmt(after.cpu)} | ${fmt(was.wall)} | ${fmt(was.cpu)} |`;

const report = `# lint benchmark

Generated by \`node --import tsx bench/lint/corpus.ts\` on ${new Date().toISOString()}.

Machine: ${String(cpus().length)} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average at the end ${l1 ?? '?'} / ${l5 ?? '?'} / ${l15 ?? '?'} (shared with other builds: wall times are pessimistic, CPU times are the steadier figure).

Workload: the ${String(files.length)} real Dockerfiles of \`../shared/data/dockerfiles\` (${String(lines)} lines), all ${String(m.rules.length)} rules, one process, ${String(findings)} findings per pass (mvdan-sh alone: ${String(before.findings)}). "Parse" is dockerfile-ast + the lint model + the shell parser over every shell-form RUN/CMD/ENTRYPOINT; "rules" is running every rule and building Findings.

"native" is the default: \`src/lint/shell-native.ts\` parses each script, and mvdan-sh (GopherJS, 1.5 MB) is loaded and used only for the scripts it declines. On this corpus the native parser took ${String(coverage.handled)} of ${String(coverage.handled + coverage.declined)} distinct scripts in the first pass and declined ${String(coverage.declined)}, so mvdan-sh was ${coldMvdanLoaded ? 'still loaded once during the first pass' : 'never loaded'}. "mvdan-sh only" is the previous parser, measured in a fresh child process of the same run.

| phase | native: wall ms | native: CPU ms | mvdan-sh only: wall ms | mvdan-sh only: CPU ms |
|---|---|---|---|---|
${row('import lint modules (dockerfile-ast, rules)', load, before.load)}
${row('first pass over 47 files: parse (mvdan-sh load included when used)', cold.parse, before.cold.parse)}
${row('first pass over 47 files: rules', cold.rules, before.cold.rules)}
| **first pass, total including module import (one \`bulkhead lint\` of the 47 files after Node start-up)** | **${fmt(firstRunIncludingLoad)}** | | **${fmt(before.firstRunIncludingLoad)}** | |
${row(`warm pass, median of ${String(RUNS)} (shell cache cleared each time): parse`, figures.warmParse, before.warmParse)}
${row(`warm pass, median of ${String(RUNS)}: rules`, figures.warmRules, before.warmRules)}
| **warm pass, total (median wall / best wall / median CPU)** | **${fmt(medWall)} / ${fmt(minWall)}** | **${fmt(medCpu)}** | **${fmt(before.medWall)} / ${fmt(before.minWall)}** | **${fmt(before.medCpu)}** |
${row('pass with every shell script already cached', figures.cached, before.cached)}

Target: 47 files under 300 ms in one process — warm pass ${medWall < 300 ? 'met' : 'NOT met'} (median ${fmt(medWall)} ms wall, ${fmt(medCpu)} ms CPU; mvdan-sh only: ${fmt(before.medWall)} ms wall, ${fmt(before.medCpu)} ms CPU); first pass including module import ${firstRunIncludingLoad < 300 ? 'met' : 'NOT met'} (${fmt(firstRunIncludingLoad)} ms; mvdan-sh only: ${fmt(before.firstRunIncludingLoad)} ms).

Where the time goes: with the native parser, shell parsing is a small part of "parse" (dockerfile-ast and the model
make up most of the "already cached" row). The first pass pays for V8 compiling the lint modules and, only when a
script needs it, for loading mvdan-sh. mvdan-sh's \`Parse\` costs about 1 ms for a one-line script and its first calls
pay for compiling 1.5 MB of generated code, which is what the "mvdan-sh only" columns show. CPU can exceed wall time:
V8 compiles and collects garbage on helper threads. The native parser declines anything outside its subset, and a
differential test (\`test/lint/shell-native.test.ts\`) holds its output to mvdan-sh's for every corpus script and for
generated ones.
`;
// Sections after the generated part (`## ...`: before/after comparisons of past changes) are kept.
const RESULTS = resolve(ROOT, 'bench/results/lint.md');
let history = '';
try {
  const previous = readFileSync(RESULTS, 'utf8');
  const at = previous.indexOf('\n## ');
  if (at !== -1) history = previous.slice(at);
} catch {
  // first run: nothing to keep
}
writeFileSync(RESULTS, report + history);
process.stdout.write(report);
