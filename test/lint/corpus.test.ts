// Holds `bulkhead lint` findings over the 47 shared Dockerfiles (../shared/data/dockerfiles) to a committed list,
// one `file:line:column ruleId message` per finding: any change must be deliberate and explained in
// docs/lint-false-positive-review.md. Regenerate: BULKHEAD_UPDATE_CORPUS=1 node --import tsx --test test/lint/corpus.test.ts
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintDockerfile } from '../../src/lint/lint.js';
import { LINT_RULES } from '../../src/lint/rules/index.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dockerfiles');
const EXPECTED = join(import.meta.dirname, 'corpus-findings.txt');

function corpusFindings(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(DATA)
    .filter((f) => f.endsWith('.Dockerfile'))
    .sort()) {
    const { findings } = lintDockerfile(readFileSync(join(DATA, file), 'utf8'), file, { rules: LINT_RULES });
    for (const f of findings) {
      const at = f.target.kind === 'file' ? `${String(f.target.line)}:${String(f.target.column)}` : '0:0';
      out.push(`${file}:${at} ${f.ruleId} ${f.message.replaceAll('\n', ' ')}`);
    }
  }
  return out;
}

describe(
  'lint over the 47 shared Dockerfiles',
  { skip: !existsSync(DATA) && 'shared data not present' },
  () => {
    it('finds exactly the committed findings (test/lint/corpus-findings.txt)', () => {
      const actual = corpusFindings();
      if (process.env['BULKHEAD_UPDATE_CORPUS'] === '1') writeFileSync(EXPECTED, `${actual.join('\n')}\n`);
      const expected = readFileSync(EXPECTED, 'utf8').trimEnd().split('\n');
      assert.equal(readdirSync(DATA).filter((f) => f.endsWith('.Dockerfile')).length, 47);
      assert.deepEqual(actual, expected);
    });
  },
);
