// One test layout: every *.test.ts in the repository sits under test/<area>/ (scripts/test-files.ts), so
// scripts/test.sh runs all of them and a test written next to its source fails here instead of being skipped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inTestLayout, listTestFiles } from '../../scripts/test-files.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('test layout', () => {
  it('has no *.test.ts outside test/<area>/', () => {
    const files = listTestFiles(ROOT);
    assert.ok(files.includes('test/boundaries/test-layout.test.ts'), 'lists this very file');
    assert.deepEqual(
      files.filter((f) => !inTestLayout(f)),
      [],
    );
  });

  it('tells a stray from a placed file', () => {
    for (const f of ['test/audit/cli.test.ts', 'test/net/rules/deep.test.ts'])
      assert.equal(inTestLayout(f), true, f);
    for (const f of [
      'src/net/units.test.ts',
      'test/audit-cli.test.ts',
      'bench/x.test.ts',
      'test/audit/fixture.ts',
    ])
      assert.equal(inTestLayout(f), false, f);
  });

  describe('scripts/test-files.ts in a checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-layout-'));
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const script = join(ROOT, 'scripts', 'test-files.ts');
    const run = (): { status: number; stdout: string; stderr: string } => {
      try {
        const stdout = execFileSync(process.execPath, ['--import', 'tsx', script, dir], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: 'pipe',
        });
        return { status: 0, stdout, stderr: '' };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { status: e.status, stdout: e.stdout, stderr: e.stderr };
      }
    };

    it('lists the placed files and fails on an untracked stray next to a source', () => {
      execFileSync('git', ['init', '-q', dir]);
      mkdirSync(join(dir, 'test', 'area'), { recursive: true });
      mkdirSync(join(dir, 'src', 'area'), { recursive: true });
      writeFileSync(join(dir, 'test', 'area', 'a.test.ts'), '');
      assert.deepEqual(run(), { status: 0, stdout: 'test/area/a.test.ts\n', stderr: '' });
      writeFileSync(join(dir, 'src', 'area', 'b.test.ts'), '');
      const stray = run();
      assert.equal(stray.status, 1);
      assert.match(stray.stderr, /test file outside the layout: src\/area\/b\.test\.ts/);
    });
  });
});
