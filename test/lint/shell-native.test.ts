// Differential test of the native shell parser (src/lint/shell-native.ts) against mvdan-sh: for every shell script of
// the corpus (the 47 real Dockerfiles, BuildKit's parser test files, every rule test snippet) and for generated
// scripts, the production path (native parser, mvdan-sh when it declines) must give exactly mvdan-sh's ShellScript.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDockerfile } from '../../src/lint/parse.js';
import { LINT_RULES } from '../../src/lint/rules/index.js';
import {
  cachedShellScripts,
  clearShellCache,
  nativeHandles,
  nativeStats,
  parseShellWith,
  type ShellCommand,
  type ShellScript,
} from '../../src/lint/shell.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dockerfiles');
const BUILDKIT = join(DATA, 'buildkit-parser-testfiles');

/** Every documented field, recursively through parents; nothing else (the mvdan path keeps Go nodes on its objects). */
function viewCommand(c: ShellCommand): unknown {
  return {
    name: c.name,
    program: c.program,
    args: c.args.map((a) => ({ text: a.text, literal: a.literal, line: a.line, column: a.column })),
    assigns: c.assigns.map((a) => ({ name: a.name, value: a.value })),
    line: c.line,
    column: c.column,
    endLine: c.endLine,
    endColumn: c.endColumn,
    wrapper: c.wrapper,
    compound: c.compound === true,
    parent: c.parent === undefined ? undefined : viewCommand(c.parent),
  };
}

function view(script: ShellScript): unknown {
  if (script.kind === 'error') return script;
  return {
    kind: script.kind,
    commands: script.commands.map(viewCommand),
    pipes: script.pipes.map((p) => ({ left: p.left.map(viewCommand), right: p.right.map(viewCommand) })),
    setsPipefail: script.setsPipefail,
  };
}

function check(script: string): boolean {
  const expected = view(parseShellWith(script, 'mvdan'));
  const actual = view(parseShellWith(script, 'auto'));
  assert.deepEqual(actual, expected, `script:\n${script}`);
  return nativeHandles(script);
}

function corpusScripts(): Map<string, string> {
  const sources: { name: string; text: string }[] = [];
  for (const f of readdirSync(DATA).filter((n) => n.endsWith('.Dockerfile')))
    sources.push({ name: f, text: readFileSync(join(DATA, f), 'utf8') });
  for (const sub of ['testfiles', 'testfiles-negative']) {
    const dir = join(BUILDKIT, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, 'Dockerfile');
      if (existsSync(file)) sources.push({ name: `${sub}/${name}`, text: readFileSync(file, 'utf8') });
    }
  }
  for (const rule of LINT_RULES) {
    for (const v of rule.cases.valid)
      sources.push({ name: rule.meta.id, text: typeof v === 'string' ? v : v.code });
    for (const v of rule.cases.invalid) sources.push({ name: rule.meta.id, text: v.code });
  }
  const scripts = new Map<string, string>();
  for (const source of sources) {
    clearShellCache();
    try {
      parseDockerfile(source.text, source.name);
    } catch {
      // Negative BuildKit files may be refused; the scripts parsed before that still count.
    }
    for (const s of cachedShellScripts()) if (!scripts.has(s)) scripts.set(s, source.name);
  }
  clearShellCache();
  return scripts;
}

describe('native shell parser: differential against mvdan-sh', () => {
  it('gives mvdan-sh results for every corpus script (47 Dockerfiles, BuildKit test files, rule tables)', () => {
    const scripts = corpusScripts();
    assert.ok(scripts.size > 300, `only ${String(scripts.size)} scripts collected`);
    let handled = 0;
    const declined: string[] = [];
    for (const script of scripts.keys()) {
      if (check(script)) handled += 1;
      else declined.push(script);
    }
    process.stdout.write(
      `# corpus: ${String(scripts.size)} scripts, native handles ${String(handled)}, declines ${String(declined.length)}\n`,
    );
    // The native parser exists for speed: it must take the bulk of real scripts.
    assert.ok(
      handled > scripts.size * 0.95,
      `native handles only ${String(handled)}/${String(scripts.size)}`,
    );
  });

  it('handles every script of the 47 real Dockerfiles, so linting them never loads mvdan-sh', () => {
    const missed: string[] = [];
    for (const f of readdirSync(DATA).filter((n) => n.endsWith('.Dockerfile'))) {
      clearShellCache();
      parseDockerfile(readFileSync(join(DATA, f), 'utf8'), f);
      for (const s of cachedShellScripts()) if (!nativeHandles(s)) missed.push(`${f}: ${s.slice(0, 80)}`);
    }
    clearShellCache();
    assert.deepEqual(missed, []);
  });

  it('declines nesting deep enough to exhaust the stack instead of crashing', () => {
    const deep = `${'echo $('.repeat(20000)}x${')'.repeat(20000)}`;
    assert.equal(nativeHandles(deep), false);
  });

  it('declines outside the subset and on syntax errors (mvdan-sh reports those)', () => {
    for (const script of [
      'cat <<EOF\n$(x)\nEOF',
      'select x in a; do b; done',
      'function f { a; }',
      'echo $((1 + 2))',
      '[[ -f x ]] && y',
      'diff <(a) <(b)',
      'a=(1 2)',
      'cat <<< x',
      'echo "unterminated',
      'a &&',
      'if a; then b',
      '(a',
      'a | | b',
    ]) {
      assert.equal(nativeHandles(script), false, script);
      check(script);
    }
  });

  it('handles the common forms itself', () => {
    for (const script of [
      'apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
      'set -eux; curl -fsSL https://x | tar -xz -C /opt',
      'FOO=1 BAR="$(cat /x)" sudo -E env A=b sh -c "curl x | sh"',
      'if [ -f x ]; then a; elif b; then c; else d; fi',
      'for f in a b c; do echo "$f" > /dev/null 2>&1; done',
      'while read -r l; do echo `basename $l`; done < file',
      '( cd /x && make ) || { echo failed; exit 1; }',
      'export PATH=/x:$PATH GOPATH=${HOME:-/root}',
      '! grep -q x f | wc -l',
      'echo é "ü" \\\n  && ls',
      "if a; then\n  cat <<'eot' > /x/main.go\npackage main\n\nfunc main() { $(x) }\neot\nfi",
      'case "${arch##*-}" in amd64|arm64) a=x ;; *) echo "unsupported"; exit 1 ;; esac',
    ]) {
      assert.equal(nativeHandles(script), true, script);
      check(script);
    }
  });
});

const word = fc.oneof(
  fc.constantFrom(
    'a',
    'apt-get',
    'curl',
    'sh',
    'sudo',
    'env',
    '-c',
    '-y',
    'x=1',
    '/usr/bin/curl',
    'pipefail',
    'set',
  ),
  fc.constantFrom(
    '-o',
    '-eo',
    'A=$B',
    '$HOME',
    '${X}',
    '${X:-y}',
    '"$@"',
    "'a b'",
    '"a b"',
    'a\\ b',
    '~/x',
    '*.txt',
  ),
  fc.constantFrom(
    '"$(id -u)"',
    '$(a | b)',
    '`c d`',
    '"x\\"y"',
    '$',
    '"$"',
    '#c',
    'a#b',
    '{a,b}',
    '}',
    '{',
    '!',
  ),
  fc.constantFrom('${X%%[a-z]*}', '${V//./-}', '${X:+-D=${X}}', '${a##*-}', '${a/b/c}'),
  // Outside the subset: rarer, so that most generated scripts exercise the native parser.
  {
    weight: 1,
    arbitrary: fc.constantFrom('${a:1}', '${!a}', '$(( 1 ))', 'A+=1', 'time', '[[', 'f()', '<(x)'),
  },
  fc.constantFrom('export', 'declare -x', 'local', 'A=#x', 'A=', 'A="$(b c)"', 'B=$(d|e)'),
  fc.constantFrom('"sh -c \'a|b\'"', "'curl x | sh'", '2>&1', '>/dev/null', '<f', 'é', '$1', '${#X}', '\\\n'),
);
const simple = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const op = fc.constantFrom(' && ', ' || ', '; ', ' | ', '\n', ' & ', ' |', '&&\n');
const command: fc.Arbitrary<string> = fc.letrec<{ cmd: string }>((tie) => ({
  cmd: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    simple,
    simple,
    tie('cmd').map((c) => `( ${c} )`),
    tie('cmd').map((c) => `f() {\n ${c}\n}; f`),
    fc
      .tuple(
        fc.constantFrom('<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', '<<EOF >f', '<<EOF | sh', '<<<x'),
        fc.array(
          fc.constantFrom(
            'a b',
            '${X}',
            '\\${Y}',
            '${X:-a}',
            '$Z',
            '$(id)',
            '`id`',
            '\tEOF',
            'EOF ',
            '"q',
            "'",
            '${',
            '\\',
          ),
          { maxLength: 3 },
        ),
        fc.constantFrom('EOF', '\tEOF', ''),
        tie('cmd'),
      )
      .map(([op, body, end, next]) => `cat ${op}\n${body.join('\n')}\n${end}\n${next}`),
    tie('cmd').map((c) => `{ ${c}; }`),
    fc.tuple(tie('cmd'), tie('cmd')).map(([a, b]) => `if ${a}; then ${b}; fi`),
    fc.tuple(tie('cmd'), tie('cmd')).map(([a, b]) => `while ${a}; do ${b}; done`),
    tie('cmd').map((c) => `for i in a b; do ${c}; done`),
    fc
      .tuple(tie('cmd'), tie('cmd'), fc.constantFrom(';;', ' ;;\n', '\n;;', ';&', ''))
      .map(([a, b, end]) => `case "$x" in a|'b') ${a} ;; (*) ${b}${end} esac`),
    tie('cmd').map((c) => `echo "$(${c})"`),
    fc.tuple(tie('cmd'), op, tie('cmd')).map(([a, o, b]) => `${a}${o}${b}`),
  ),
})).cmd;

describe('native shell parser: generated scripts', () => {
  it('agrees with mvdan-sh on random scripts of the subset', () => {
    nativeStats.handled = 0;
    nativeStats.declined = 0;
    fc.assert(
      fc.property(command, (script) => {
        check(script);
      }),
      { numRuns: 1500 },
    );
    process.stdout.write(
      `# generated: native handled ${String(nativeStats.handled)}, declined ${String(nativeStats.declined)}\n`,
    );
    // A good share of generated scripts stays inside the subset, so the comparison exercises the native parser and
    // not only the fallback (the rest hit an unsupported word somewhere in a long script, or a syntax error).
    assert.ok(nativeStats.handled * 4 > nativeStats.handled + nativeStats.declined);
  });
  it('agrees with mvdan-sh on random character soup', () => {
    fc.assert(
      fc.property(
        fc
          .array(
            fc.constantFrom(
              ...'ab $(){};|&\'"\\\n#=-`!<>*%/:+'.split(''),
              'if ',
              'then ',
              'fi',
              'do ',
              'done',
              'case ',
              ' in ',
              'esac',
              ';;',
            ),
            {
              maxLength: 25,
            },
          )
          .map((a) => a.join('')),
        (script) => {
          check(script);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
