// Times warm lint passes (shell cache cleared each pass) over the 47 shared Dockerfiles for the lint code of the
// checkout at argv[2] (default: this one): median CPU and wall of 15 passes, in one process, and how much of a pass
// is dockerfile-ast's own DockerfileParser.parse (astMedianMs; timed after the checkout's lint code has run once, so a
// checkout that patches the library is timed with its patch). Used to compare two
// commits on a busy machine by running them alternately in fresh processes (see bench/results/lint.md). Run:
// node --import tsx bench/lint/compare.ts /path/to/checkout
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as LintModule from '../../src/lint/lint.js';
import type * as RulesModule from '../../src/lint/rules/index.js';
import type * as ShellModule from '../../src/lint/shell.js';

const root = process.argv[2] ?? join(import.meta.dirname, '..', '..');
const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dockerfiles');
const { lintDockerfile } = (await import(join(root, 'src/lint/lint.ts'))) as typeof LintModule;
const { LINT_RULES } = (await import(join(root, 'src/lint/rules/index.ts'))) as typeof RulesModule;
const { clearShellCache } = (await import(join(root, 'src/lint/shell.ts'))) as typeof ShellModule;

const { DockerfileParser } = createRequire(join(root, 'package.json'))('dockerfile-ast') as {
  DockerfileParser: { parse: (text: string) => unknown };
};
const files = readdirSync(DATA)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort()
  .map((f) => ({ path: f, text: readFileSync(join(DATA, f), 'utf8') }));

function pass(): number {
  let n = 0;
  for (const { path, text } of files) n += lintDockerfile(text, path, { rules: LINT_RULES }).findings.length;
  return n;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}

pass();
pass();
const cpu: number[] = [];
const wall: number[] = [];
const ast: number[] = [];
for (let i = 0; i < 15; i += 1) {
  clearShellCache();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  pass();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  const a0 = performance.now();
  for (const { text } of files) DockerfileParser.parse(text);
  ast.push(performance.now() - a0);
}
process.stdout.write(
  `${JSON.stringify({ root, findings: pass(), cpuMedianMs: median(cpu).toFixed(1), wallMedianMs: median(wall).toFixed(1), wallBestMs: Math.min(...wall).toFixed(1), astMedianMs: median(ast).toFixed(1) })}\n`,
);
