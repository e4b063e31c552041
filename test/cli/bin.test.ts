// The installed entry point (bin/bulkhead.js over the compiled dist/) works as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'bulkhead.js');
const built = existsSync(join(REPO, 'dist', 'cli', 'main.js'));

describe(
  'bin/bulkhead.js',
  { skip: built ? false : 'dist/ not built (npm run build; scripts/test.sh builds it)' },
  () => {
    it('prints the package version', () => {
      const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
      const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    });

    it('exits 2 with a one-line usage error on an unknown command', () => {
      const result = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /unknown command 'frobnicate'/);
    });

    it('exits 2 when the engine is unreachable, after printing host facts', () => {
      const result = spawnSync(process.execPath, [BIN, 'info'], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
      });
      assert.equal(result.status, 2);
      assert.match(result.stdout, /^Host \(\/\)/);
      assert.match(result.stderr, /engine unreachable at unix:\/\/\/nonexistent\.sock/);
    });
  },
);
