// rpm ordering tests: thousands of generated pairs per run (epochs numeric and not, '~', '^', odd separators,
// non-ASCII, NUL, module and EUS releases) against Debian's rpm 4.18 rpm.vercmp() in one rpm process, plus a table
// of the orderings Red Hat family matching relies on, and the promise that no string makes it throw.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareRpmVersions, parseRpmVersion, rpmvercmp } from '../../src/versioning/rpm.js';

/** A Lua string literal holding the UTF-8 bytes of `s` as decimal escapes (safe for any content). */
function luaString(s: string): string {
  return `"${[...Buffer.from(s, 'utf8')].map((b) => `\\${b}`).join('')}"`;
}

/** Asks rpm.vercmp for every pair in one rpm process; rpm rejects only the empty string. */
function oracle(cases: readonly (readonly [string, string])[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'bh-rpmvercmp-'));
  try {
    const script = join(dir, 'cases.lua');
    const list = cases.map(([a, b]) => `{${luaString(a)},${luaString(b)}}`).join(',\n');
    writeFileSync(
      script,
      `local cases = {\n${list}\n}\nlocal out = {}\n` +
        'for i, c in ipairs(cases) do out[i] = tostring(rpm.vercmp(c[1], c[2])) end\n' +
        'print(table.concat(out, " "))\n',
    );
    const text = execFileSync('rpm', ['--eval', `%{lua: dofile("${script}")}`], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return text.trim().split(/\s+/).map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const digits = fc.oneof(
  fc.constantFrom('0', '1', '2', '9', '10', '01', '00', '007', '99999999999999999999'),
  fc.integer({ min: 0, max: 3000 }).map(String),
);
const word = fc.constantFrom(
  'a',
  'b',
  'Z',
  'el',
  'el8',
  'el9_2',
  'rc',
  'beta',
  'alma',
  'git',
  'fc38',
  'amzn2',
);
const sep = fc.constantFrom(
  '.',
  '.',
  '.',
  '_',
  '+',
  '~',
  '^',
  '-',
  ':',
  '',
  '',
  '%',
  ' ',
  'é',
  '€',
  '\u00ff',
  '/',
  '\u0000',
);
const fragment = fc
  .tuple(fc.oneof(digits, word), fc.array(fc.tuple(sep, fc.oneof(digits, word)), { maxLength: 5 }))
  .map(([head, rest]) => head + rest.map(([s, t]) => s + t).join(''));
const release = fc.oneof(
  fragment,
  fc.constantFrom(
    '1.el8',
    '14.el8_10',
    '17.el8_6',
    '3.el9_4.5',
    '8.el9',
    '67.el9_8.2.alma.1',
    '2.module+el8.6.0+20026+579726f4.2',
    '473.module_el8.10.0+3779+d5938d28',
    '2.module_el9.8.0+285+5c3b0251',
    '1.module+el9.4.0+21+abcdef01',
  ),
);
const epoch = fc.constantFrom('', '0:', '1:', '2:', '01:', '10:', ':', 'x:', 'abc:', '1a:', '-1:', '4:');
const evr = fc
  .tuple(epoch, fragment, fc.option(release, { nil: undefined }))
  .map(([e, v, r]) => `${e}${v}${r === undefined ? '' : `-${r}`}`);
const tails = fc.constantFrom(
  '~',
  '~1',
  '^1',
  '^',
  '.1',
  'a',
  '_1',
  '+1',
  '0',
  '-1',
  '-0',
  '.alma.1',
  '~rc1',
  'é',
  '.',
);
const anyText = fc.string({ unit: 'grapheme', maxLength: 12 });

const pairs: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(evr, evr),
  fc.tuple(evr, tails).map(([v, t]): [string, string] => [v, v + t]),
  fc.tuple(evr, tails, tails).map(([v, s, t]): [string, string] => [v + s, v + t]),
  evr.map((v): [string, string] => [v, v]),
  fc.tuple(anyText, anyText),
);

describe('rpm ordering against rpm.vercmp (rpm 4.18)', () => {
  it('agrees on 6,000 generated pairs', () => {
    const seed = Number(process.env['BULKHEAD_FC_SEED'] ?? Date.now() % 100000);
    // rpm.vercmp raises on "" (rpmverParse gives NULL): those are checked below for "never throws" only
    const cases = fc.sample(pairs, { numRuns: 6000, seed }).filter(([a, b]) => a !== '' && b !== '');
    assert.ok(cases.length > 5000, `only ${cases.length} pairs`);
    const want = oracle(cases);
    assert.equal(want.length, cases.length);
    const failures = cases
      .map(([a, b], i) => ({ a, b, want: want[i], got: compareRpmVersions(a, b) }))
      .filter((c) => c.want !== c.got);
    assert.deepEqual(failures.slice(0, 10), [], `seed ${seed}: ${failures.length} disagreements`);
  });

  const table: [string, '<' | '=' | '>', string][] = [
    ['1:1.1.1k-14.el8_10', '<', '1:1.1.1k-17.el8_6'],
    ['3.9.18-3.el9_4.5', '<', '3.9.19-8.el9'],
    ['252-67.el9_8.2', '<', '252-67.el9_8.2.alma.1'],
    ['1.0~rc1-1', '<', '1.0-1'],
    ['1.0^git1-1', '>', '1.0-1'],
    ['1.0^git1', '<', '1.0.1'],
    ['1.0-1', '>', '1.0'],
    ['1.0-', '>', '1.0'],
    ['1.0-~1', '>', '1.0'],
    ['1.0-', '<', '1.0-0'],
    ['01:1.0', '=', '1:1.0'],
    ['x:1.0', '<', '0:1.0'],
    ['99999999999999999999:1', '>', '1:1'],
    ['1.0\u0000garbage', '=', '1.0'],
    ['1é0', '=', '1.0'],
    ['4:5.32.1-473.module_el8.10.0+3779+d5938d28', '>', '4:5.32.1-471.module_el8.10.0+3700+aaaaaaaa'],
  ];
  for (const [a, op, b] of table) {
    it(`${JSON.stringify(a)} ${op} ${JSON.stringify(b)}`, () => {
      const order = { '<': -1, '=': 0, '>': 1 }[op];
      assert.equal(compareRpmVersions(a, b), order);
      assert.equal(compareRpmVersions(b, a), -order || 0);
    });
  }

  it('never throws, on any string (empty, lone surrogates, control characters)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (a, b) => {
          const ab = compareRpmVersions(a, b);
          assert.equal(ab + compareRpmVersions(b, a), 0);
          assert.equal(rpmvercmp(a, a), 0);
        },
      ),
      { numRuns: 3000 },
    );
    assert.equal(compareRpmVersions('', ''), 0);
    assert.equal(compareRpmVersions('', '0'), -1);
  });

  it('splits epoch, version and release as parseEVR does', () => {
    assert.deepEqual(parseRpmVersion('2:1.34-9.el9_7'), { epoch: '2', version: '1.34', release: '9.el9_7' });
    assert.deepEqual(parseRpmVersion('abc:1-2'), { epoch: '0', version: 'abc:1', release: '2' });
    assert.deepEqual(parseRpmVersion(':1.0'), { epoch: '0', version: '1.0', release: undefined });
    assert.deepEqual(parseRpmVersion('1-2-3'), { epoch: '0', version: '1-2', release: '3' });
  });
});
