// Version ordering tests: every line of ../shared/data/versions, dpkg and rpm as oracles over thousands of
// generated pairs (fast-check), backport cases, and the errors unparseable input must raise.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersions, VersionError, type VersionScheme } from '../../src/versioning/index.js';

const VERSIONS_DIR = resolve(import.meta.dirname, '../../../shared/data/versions');
const OPS: Readonly<Record<string, -1 | 0 | 1>> = { '<': -1, '=': 0, '>': 1 };

function readCases(file: string): { a: string; op: string; b: string; line: number }[] {
  const out: { a: string; op: string; b: string; line: number }[] = [];
  readFileSync(join(VERSIONS_DIR, file), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const line = text.trim();
      if (line === '' || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      const [a, op, b] = parts;
      if (parts.length !== 3 || a === undefined || op === undefined || b === undefined || !(op in OPS)) {
        throw new Error(`${file}:${index + 1}: unreadable test line ${JSON.stringify(line)}`);
      }
      out.push({ a, op, b, line: index + 1 });
    });
  return out;
}

function checkFile(scheme: VersionScheme, file: string): number {
  const cases = readCases(file);
  const failures: string[] = [];
  for (const { a, op, b, line } of cases) {
    const want = OPS[op];
    const got = compareVersions(scheme, a, b);
    const back = compareVersions(scheme, b, a);
    if (got !== want || back + got !== 0)
      failures.push(`${file}:${line}: ${a} ${op} ${b} (got ${got}/${back})`);
  }
  assert.deepEqual(failures, []);
  return cases.length;
}

describe('version test vectors from ../shared/data/versions', () => {
  it('agrees with every Debian line', () => {
    const n = checkFile('deb', 'debian-versions.txt') + checkFile('deb', 'debian-versions-generated.txt');
    assert.ok(n > 14000, `only ${n} Debian cases`);
  });
  it('agrees with every Alpine line', () => {
    const n = checkFile('apk', 'alpine-versions.txt') + checkFile('apk', 'alpine-versions-generated.txt');
    assert.ok(n > 14000, `only ${n} Alpine cases`);
  });
});

// ---- generators shared by the oracle tests ----

const digits = fc.oneof(
  fc.constantFrom('0', '1', '2', '9', '10', '11', '01', '99', '100'),
  fc.integer({ min: 0, max: 2000 }).map(String),
);
const word = fc.constantFrom(
  'a',
  'b',
  'z',
  'A',
  'rc',
  'beta',
  'dfsg',
  'really',
  'git',
  'p',
  'ubuntu',
  'build',
);
const sep = fc.constantFrom('.', '+', '~', '.', '.', '~', '+');
const fragment = (first: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(first, fc.array(fc.tuple(fc.option(sep, { nil: '' }), fc.oneof(digits, word)), { maxLength: 4 }))
    .map(([head, rest]) => head + rest.map(([s, t]) => s + t).join(''));
const debRevision = fc.oneof(
  fragment(fc.oneof(digits, word)),
  fc.constantFrom('1', '1+deb12u1', '1~deb12u1', '1~bpo11+1', '1~bpo12+1', '2+b1', '1ubuntu0.1', '0.1~exp1'),
  fc
    .tuple(digits, fc.constantFrom('~bpo', '+deb', '~deb'), digits, fc.constantFrom('+1', 'u1', 'u2', ''))
    .map(([a, b, c, d]) => a + b + c + d),
);
const debVersion = fc
  .tuple(
    fc.option(fc.constantFrom('0', '1', '2', '10'), { nil: undefined }),
    fragment(digits),
    fc.option(debRevision, { nil: undefined }),
  )
  .map(([epoch, upstream, revision]) => {
    // a hyphen or colon in upstream is only legal with a revision / an epoch
    const up = revision === undefined ? upstream : upstream;
    return `${epoch === undefined ? '' : `${epoch}:`}${up}${revision === undefined ? '' : `-${revision}`}`;
  });

/** Pairs that often share a prefix, so comparisons reach the interesting tails. */
function pairs(version: fc.Arbitrary<string>, tails: fc.Arbitrary<string>): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    fc.tuple(version, version),
    fc.tuple(version, tails).map(([v, t]): [string, string] => [v, v + t]),
    fc.tuple(version, tails, tails).map(([v, s, t]): [string, string] => [v + s, v + t]),
    version.map((v): [string, string] => [v, v]),
  );
}

function sample(arb: fc.Arbitrary<[string, string]>, n: number, seed: number): [string, string][] {
  return fc.sample(arb, { numRuns: n, seed });
}

describe('deb ordering against dpkg --compare-versions', () => {
  it('agrees on thousands of generated pairs (epochs, ~, +, ~bpoN)', () => {
    const seed = Number(process.env['BULKHEAD_FC_SEED'] ?? Date.now() % 100000);
    const tails = fc.constantFrom(
      '~',
      '~1',
      '+1',
      '.1',
      'a',
      '~bpo12+1',
      '+deb12u1',
      '+b1',
      '0',
      '~~',
      'Z',
      '-1',
    );
    const cases = sample(pairs(debVersion, tails), 2500, seed).filter(
      ([a, b]) => isValidDeb(a) && isValidDeb(b),
    );
    assert.ok(cases.length > 2000, `only ${cases.length} valid pairs`);
    const dir = mkdtempSync(join(tmpdir(), 'bh-dpkg-'));
    try {
      const input = join(dir, 'pairs');
      writeFileSync(input, cases.map(([a, b]) => `${a} ${b}\n`).join(''));
      const script =
        'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
        'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done < "$1"';
      const out = execFileSync('sh', ['-c', script, 'sh', input], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const answers = out.trim().split('\n').map(Number);
      assert.equal(answers.length, cases.length);
      const failures = cases
        .map(([a, b], i) => ({ a, b, want: answers[i], got: compareVersions('deb', a, b) }))
        .filter((c) => c.want !== c.got);
      assert.deepEqual(failures, [], `seed ${seed}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const backports: [string, '<' | '=' | '>', string][] = [
    ['1.2.3-1~bpo11+1', '<', '1.2.3-1'],
    ['1.2.3-1~bpo11+1', '>', '1.2.2-1'],
    ['1.2.3-1~bpo11+1', '<', '1.2.3-1~bpo11+2'],
    ['1.2.3-1~bpo11+1', '<', '1.2.3-1+deb11u1'],
    ['1.2.3-1~bpo10+1', '<', '1.2.3-1~bpo11+1'],
    ['3.0.11-1~deb12u2', '<', '3.0.13-1~deb12u1'],
    ['3.0.13-1~deb12u1', '<', '3.0.13-1'],
    ['1:1.0-1', '>', '9.9-9'],
    ['1.0-1', '=', '0:1.0-1'],
    ['1.0', '=', '1.0-0'],
    ['2.36-9+deb12u4', '>', '2.36-9+deb12u3'],
    ['1.0~rc1-1', '<', '1.0-1'],
    ['1.0+dfsg-1', '>', '1.0-1'],
    ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u10'],
  ];
  for (const [a, op, b] of backports) {
    it(`${a} ${op} ${b}`, () => {
      assert.equal(compareVersions('deb', a, b), OPS[op]);
    });
  }
});

function isValidDeb(v: string): boolean {
  try {
    compareVersions('deb', v, v);
    return true;
  } catch {
    return false;
  }
}

describe('rpm ordering against rpm.vercmp (rpm 4.18)', () => {
  it('agrees on thousands of generated pairs (epochs, ~, ^, releases)', () => {
    const seed = Number(process.env['BULKHEAD_FC_SEED'] ?? Date.now() % 100000);
    const rpmSep = fc.constantFrom('.', '_', '+', '~', '^', '.');
    const rpmFrag = fc
      .tuple(
        digits,
        fc.array(fc.tuple(fc.option(rpmSep, { nil: '' }), fc.oneof(digits, word)), { maxLength: 4 }),
      )
      .map(([h, rest]) => h + rest.map(([s, t]) => s + t).join(''));
    const rpmVersion = fc
      .tuple(
        fc.option(fc.constantFrom('0', '1', '2'), { nil: undefined }),
        rpmFrag,
        fc.option(fc.oneof(rpmFrag, fc.constantFrom('1.el8', '1.el9_2', '3.fc38', '1.amzn2')), {
          nil: undefined,
        }),
      )
      .map(([e, v, r]) => `${e === undefined ? '' : `${e}:`}${v}${r === undefined ? '' : `-${r}`}`);
    const tails = fc.constantFrom('~', '~1', '^1', '^', '.1', 'a', '_1', '+1', '0', '-1', '-0', '-2.el9');
    const cases = sample(pairs(rpmVersion, tails), 4000, seed);
    const dir = mkdtempSync(join(tmpdir(), 'bh-rpm-'));
    const script = join(dir, 'cases.lua');
    writeFileSync(script, cases.map(([a, b]) => `print(rpm.vercmp("${a}", "${b}")) print(" ")`).join('\n'));
    let out: string;
    try {
      out = execFileSync('rpm', ['--eval', `%{lua: dofile("${script}")}`], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const answers = out.trim().split(/\s+/).map(Number);
    assert.equal(answers.length, cases.length);
    const failures = cases
      .map(([a, b], i) => ({ a, b, want: answers[i], got: compareVersions('rpm', a, b) }))
      .filter((c) => c.want !== c.got);
    assert.deepEqual(failures.slice(0, 20), [], `seed ${seed}`);
  });
});

describe('apk ordering is a total order on generated versions', () => {
  it('is reflexive, antisymmetric and transitive', () => {
    const apkVersion = fc
      .tuple(
        // Components with leading zeros are left out: apk compares "01" against "00" as strings but pads a
        // missing component with a numeric 0, so "01" = "01.0" < "01.00_alpha" < "01" is not transitive there.
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('0', '10', '100')), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.constantFrom('a', 'b', 'z'), { nil: '' }),
        fc.array(
          fc.tuple(
            fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'),
            fc.option(digits, { nil: '' }),
          ),
          { maxLength: 2 },
        ),
        fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
      )
      .map(
        ([nums, letter, sufs, rel]) =>
          nums.join('.') +
          letter +
          sufs.map(([s, n]) => `_${s}${n}`).join('') +
          (rel === undefined ? '' : `-r${rel}`),
      );
    fc.assert(
      fc.property(apkVersion, apkVersion, apkVersion, (a, b, c) => {
        assert.equal(compareVersions('apk', a, a), 0);
        assert.equal(compareVersions('apk', a, b) + compareVersions('apk', b, a), 0);
        const ab = compareVersions('apk', a, b);
        const bc = compareVersions('apk', b, c);
        if (ab <= 0 && bc <= 0) assert.ok(compareVersions('apk', a, c) <= 0, `${a} <= ${b} <= ${c}`);
      }),
      { numRuns: 5000 },
    );
  });

  const table: [string, '<' | '=' | '>', string][] = [
    ['1.35.0-r17', '<', '1.35.0-r18'],
    ['3.1.4-r5', '<', '3.1.4-r6'],
    ['1.2.3_rc1-r0', '<', '1.2.3-r0'],
    ['1.2.3_p1-r0', '>', '1.2.3-r9'],
    ['1.2.10-r0', '>', '1.2.9-r0'],
    ['2.12.5-r0', '<', '2.12.10-r0'],
    ['1.0~abc123-r1', '=', '1.0-r1'],
  ];
  for (const [a, op, b] of table) {
    it(`${a} ${op} ${b}`, () => {
      assert.equal(compareVersions('apk', a, b), OPS[op]);
    });
  }
});

// rpm has no unparseable version: rpm.vercmp orders every string (test/versioning/rpm.test.ts)
describe('unparseable versions are errors, never an ordering', () => {
  const bad: [VersionScheme, string][] = [
    ['deb', ''],
    ['deb', '   '],
    ['deb', '1.0 1'],
    ['deb', 'a:1.0'],
    ['deb', ':1.0'],
    ['deb', '1:'],
    ['deb', '1.0-'],
    ['deb', 'abc'],
    ['deb', '1.0_1'],
    ['deb', '1.0-1:2'],
    ['deb', '99999999999:1.0'],
    ['apk', ''],
    ['apk', '1.0 r1'],
    ['apk', '1.0\u0000'],
    ['apk', '1.0/2'],
  ];
  for (const [scheme, v] of bad) {
    it(`${scheme} ${JSON.stringify(v)} throws VersionError`, () => {
      assert.throws(
        () => compareVersions(scheme, v, '1.0'),
        (e: unknown) => e instanceof VersionError && e.code === 'VERSION_INVALID',
      );
      assert.throws(() => compareVersions(scheme, '1.0', v), VersionError);
    });
  }
});
