// Parsing conformance: all 47 real Dockerfiles parse (every RUN run by a POSIX shell parses as shell), and BuildKit's
// own parser test files give the same instruction sequence, flags and exec-form arguments.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allInstructions, type LintInstruction } from '../../src/lint/model.js';
import { parseDockerfile, substituteVariables } from '../../src/lint/parse.js';
import { parseShell } from '../../src/lint/shell.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dockerfiles');
const BUILDKIT = join(DATA, 'buildkit-parser-testfiles');

const corpus = readdirSync(DATA)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort();

/** One line of a BuildKit `result` file: `(keyword ["--flag"] "arg" ...)`, ONBUILD nesting its trigger. */
interface Expected {
  readonly keyword: string;
  readonly flags: readonly string[];
  readonly args: readonly string[];
}

function unquote(token: string): string {
  return JSON.parse(token.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => `\\u00${h}`)) as string;
}

function parseResultLine(line: string): Expected {
  let rest = line.trim().replace(/^\(/, '').replace(/\)$/, '');
  if (rest.startsWith('onbuild (')) rest = `onbuild-${rest.slice('onbuild ('.length).replace(/\)$/, '')}`;
  const keyword = /^[a-z-]+/.exec(rest)?.[0] ?? '';
  rest = rest.slice(keyword.length).trim();
  let flags: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    flags = (rest.slice(1, end).match(/"(?:[^"\\]|\\.)*"/g) ?? []).map(unquote);
    rest = rest.slice(end + 1);
  }
  const args = (rest.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map(unquote);
  return { keyword, flags, args };
}

function actual(instruction: LintInstruction): Expected {
  const flags = instruction.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`));
  let args: string[] = [];
  if (instruction.execForm !== null) args = [...instruction.execForm];
  else if (['RUN', 'CMD', 'ENTRYPOINT'].includes(instruction.keyword) && instruction.text !== '')
    args = [instruction.text];
  return { keyword: instruction.keyword.toLowerCase(), flags, args };
}

function compareable(model: ReturnType<typeof parseDockerfile>): Expected[] {
  const out: Expected[] = [];
  for (const instruction of model.instructions) {
    const own = actual(instruction);
    if (instruction.trigger !== null) {
      const t = actual(instruction.trigger);
      out.push({ keyword: `onbuild-${t.keyword}`, flags: t.flags, args: t.args });
    } else out.push(own);
  }
  return out;
}

describe('lint parser: 47 real Dockerfiles', () => {
  it('has the whole corpus', () => {
    assert.equal(corpus.length, 47);
  });
  for (const file of corpus) {
    it(`parses ${file}`, () => {
      const model = parseDockerfile(readFileSync(join(DATA, file), 'utf8'), file);
      assert.deepEqual(model.problems, []);
      assert.ok(model.stages.length > 0);
      for (const instruction of allInstructions(model)) {
        if (instruction.shell?.kind === 'error')
          assert.fail(`${file}:${instruction.line}: ${instruction.shell.message}`);
        assert.ok(instruction.line >= 1 && instruction.endLine >= instruction.line);
      }
      // No FROM keeps an unresolved ${VAR} when a global ARG gives it a known default.
      for (const stage of model.stages) {
        for (const match of stage.image.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
          const name = match[1] ?? '';
          const value = model.globalArgs.get(name);
          assert.ok(
            // a default built from BuildKit's automatic platform ARGs (TARGETARCH) is unknowable and stays unresolved
            value === undefined || value === null || value.includes('$'),
            `${file}: FROM ${stage.imageRaw} left ${name} unresolved`,
          );
        }
      }
    });
  }
  it('resolves ARG defaults in FROM and skips PowerShell/cmd shells', () => {
    const moby = parseDockerfile(readFileSync(join(DATA, '28-moby-moby-Dockerfile.Dockerfile'), 'utf8'), 'x');
    assert.ok(moby.stages.some((s) => s.imageRaw.includes('${') && !s.image.includes('${GO_VERSION')));
    const windows = parseDockerfile(
      readFileSync(join(DATA, '29-moby-moby-Dockerfile.windows.Dockerfile'), 'utf8'),
      'x',
    );
    assert.equal(windows.escape, '`');
    const runs = allInstructions(windows).filter((i) => i.keyword === 'RUN');
    assert.ok(runs.length > 0 && runs.every((i) => i.shell === null));
    assert.ok(windows.stages.every((s) => s.shellKind !== 'posix'));
  });
});

describe('lint parser: BuildKit parser test files', () => {
  const dir = join(BUILDKIT, 'testfiles');
  for (const name of readdirSync(dir).sort()) {
    const resultFile = join(dir, name, 'result');
    if (!existsSync(resultFile)) continue;
    it(`matches BuildKit for ${name}`, () => {
      const expected = readFileSync(resultFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map(parseResultLine);
      const model = parseDockerfile(readFileSync(join(dir, name, 'Dockerfile'), 'utf8'), name);
      const got = compareable(model);
      assert.deepEqual(
        got.map((g) => g.keyword),
        expected.map((e) => e.keyword),
        'instruction sequence',
      );
      got.forEach((g, i) => {
        const e = expected[i];
        if (e === undefined) return;
        assert.deepEqual(g.flags, e.flags, `flags of instruction ${i + 1} (${e.keyword})`);
        if (['run', 'cmd', 'entrypoint', 'onbuild-run'].includes(e.keyword))
          assert.deepEqual(g.args, e.args, `arguments of instruction ${i + 1} (${e.keyword})`);
      });
    });
  }
  for (const name of readdirSync(join(BUILDKIT, 'testfiles-negative')).sort()) {
    it(`reports a problem for BuildKit's negative case ${name}`, () => {
      const model = parseDockerfile(
        readFileSync(join(BUILDKIT, 'testfiles-negative', name, 'Dockerfile'), 'utf8'),
        name,
      );
      assert.ok(model.problems.length > 0, 'expected a parse problem');
    });
  }
});

describe('ARG substitution and shell parsing units', () => {
  const vars = new Map<string, string | null>([
    ['A', 'x'],
    ['E', ''],
    ['N', null],
    ['P', 'linux/amd64'],
    ['T', '${TARGETPLATFORM#linux/}'],
  ]);
  const cases: [string, string][] = [
    ['$A', 'x'],
    ['${A}:1', 'x:1'],
    ['${E:-d}', 'd'],
    ['${E-d}', ''],
    ['${U:-alpine}', 'alpine'],
    ['${A:+set}', 'set'],
    ['${N}', '${N}'],
    ['$UNKNOWN', '$UNKNOWN'],
    ['${P#linux/}', 'amd64'],
    ['${P%/*}', 'linux'],
    ['${A:+"unsupported"}', 'unsupported'],
    ['${E:-"supported"}', 'supported'],
    ['delve-${T:+x}', 'delve-${T:+x}'],
  ];
  for (const [input, output] of cases)
    it(`substitutes ${input}`, () => {
      assert.equal(substituteVariables(input, vars), output);
    });

  it('parses commands through wrappers, sh -c and substitutions', () => {
    const script = parseShell(
      'sudo -u x apt-get install -y curl && sh -c "wget -q x" | tee y; echo $(id -u)',
    );
    assert.ok(script.kind === 'parsed');
    const programs = script.commands.map((c) => c.program);
    for (const p of ['sudo', 'apt-get', 'sh', 'wget', 'tee', 'echo', 'id'])
      assert.ok(programs.includes(p), p);
    assert.equal(script.commands.find((c) => c.program === 'apt-get')?.wrapper, 'sudo');
    assert.equal(script.commands.find((c) => c.program === 'id')?.parent?.program, 'echo');
    assert.equal(script.pipes.length, 1);
  });
  it('reports shell syntax errors with a position', () => {
    const script = parseShell('echo "unterminated');
    assert.equal(script.kind, 'error');
  });
});
