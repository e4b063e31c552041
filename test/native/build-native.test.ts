// scripts/build-native.js (run by `npm ci`) on an addon that cannot compile: the install still succeeds, and the
// message names the compiler's own error (here a missing header), not only node-gyp's "make failed".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');

describe('build-native', () => {
  it('builds from exactly the files `npm pack` ships (every source and header the addon needs)', () => {
    // package.json "files" once listed watch.c alone: the published package could not build the addon
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(pack.status, 0, pack.stderr);
    const listed = z
      .array(z.object({ files: z.array(z.object({ path: z.string() })) }))
      .parse(JSON.parse(pack.stdout))
      .flatMap((p) => p.files.map((f) => f.path));
    const dir = mkdtempSync(join(tmpdir(), 'bh-pack-native-'));
    try {
      for (const path of listed.filter((f) => f.startsWith('src/native/') || f.startsWith('scripts/'))) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        copyFileSync(join(ROOT, path), join(dir, path));
      }
      const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.js')], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /could not build/, run.stderr);
      assert.ok(existsSync(join(dir, 'src', 'native', 'build', 'Release', 'bulkhead_watch.node')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
