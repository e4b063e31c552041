// scripts/build-native.js (run by `npm ci`) on an addon that cannot compile: the install still succeeds, and the
// message names the compiler's own error (here a missing header), not only node-gyp's "make failed".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

describe('build-native', () => {
  it('exits 0 and quotes the compiler error when the addon does not build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-build-native-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      mkdirSync(join(dir, 'src', 'native'), { recursive: true });
      copyFileSync(join(ROOT, 'scripts', 'build-native.js'), join(dir, 'scripts', 'build-native.js'));
      writeFileSync(
        join(dir, 'src', 'native', 'binding.gyp'),
        JSON.stringify({ targets: [{ target_name: 'broken', sources: ['broken.c'] }] }),
      );
      writeFileSync(join(dir, 'src', 'native', 'broken.c'), '#include <bulkhead_no_such_header.h>\n');
      const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.js')], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /could not build the watch addon/);
      assert.match(
        run.stderr,
        /broken\.c:1:\d+: fatal error: bulkhead_no_such_header\.h: No such file or directory/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
