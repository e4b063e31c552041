// Issue 10's "one of each" (CONTRIBUTING.md "Layers"): code that has one home in src/ stays there. Each check reads
// src/ as text for the shape a second copy would have, and names the files where one appeared.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sources(): { path: string; text: string }[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .sort()
    .map((f) => ({ path: relative(SRC, join(SRC, f)), text: readFileSync(join(SRC, f), 'utf8') }));
}

function offenders(pattern: RegExp, home: readonly string[] = []): string[] {
  return sources()
    .filter((f) => !home.includes(f.path))
    .flatMap((f) =>
      f.text
        .split('\n')
        .flatMap((line, i) => (pattern.test(line) ? [`${f.path}:${i + 1}: ${line.trim()}`] : [])),
    );
}

describe('one of each in src/', () => {
  it('lays out text columns only in shared/columns.ts (no padEnd/padStart to a computed width)', () => {
    // a literal width (a fixed-width log line, a zero-padded number) is not a table
    assert.deepEqual(offenders(/\.pad(?:End|Start)\((?!\d+\s*[,)])[^,)]*\)/), []);
  });

  it('matches name globs only in shared/glob.ts (no RegExp made from `*`)', () => {
    assert.deepEqual(offenders(/\.replace\(\/\\\*\/g/), []);
  });
});
