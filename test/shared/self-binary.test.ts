// src/shared/self-binary.ts: the running bulkhead as a startable command, and the check that a command is bulkhead.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { bulkheadCommand, runningBinary, verifyBulkheadCommand } from '../../src/shared/self-binary.js';
import { TOOL_VERSION } from '../../src/shared/version.js';
import { bulkheadWrapper } from '../harness/bulkhead-wrapper.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bh-self-binary-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('runningBinary', () => {
  it('is node plus the real path of the package bin/bulkhead.js when argv[1] is not bulkhead (a test runner)', () => {
    const [node, script, ...rest] = runningBinary({ argv1: join(ROOT, 'test/shared/self-binary.test.ts') });
    assert.equal(node, process.execPath);
    assert.equal(script, realpathSync(join(ROOT, 'bin/bulkhead.js')));
    assert.deepEqual(rest, []);
  });

  it('follows npm -g style symlinks from argv[1] to the installed package', () => {
    const pkg = join(dir, 'lib/node_modules/bulkhead');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"bulkhead","version":"9.9.9"}');
    writeFileSync(join(pkg, 'bin/bulkhead.js'), '#!/usr/bin/env node\n');
    mkdirSync(join(dir, 'bin'));
    symlinkSync('../lib/node_modules/bulkhead/bin/bulkhead.js', join(dir, 'bin/bulkhead'));
    assert.deepEqual(runningBinary({ argv1: join(dir, 'bin/bulkhead'), execPath: '/opt/node/bin/node' }), [
      '/opt/node/bin/node',
      realpathSync(join(pkg, 'bin/bulkhead.js')),
    ]);
  });

  it('ignores an argv[1] named bulkhead.js in a package that is not bulkhead', () => {
    const pkg = join(dir, 'other');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"not-bulkhead"}');
    writeFileSync(join(pkg, 'bin/bulkhead.js'), '');
    assert.equal(
      runningBinary({ argv1: join(pkg, 'bin/bulkhead.js') })[1],
      realpathSync(join(ROOT, 'bin/bulkhead.js')),
    );
  });

  it('--bin wins, made absolute against the working directory', () => {
    assert.deepEqual(bulkheadCommand('tools/bulkhead', '/srv'), ['/srv/tools/bulkhead']);
    assert.deepEqual(bulkheadCommand(undefined, '/srv'), runningBinary());
  });
});

describe('verifyBulkheadCommand', () => {
  it('accepts a real bulkhead of this version', () => {
    verifyBulkheadCommand([bulkheadWrapper(dir)]);
  });

  it('refuses a missing file, a directory and a file that is not executable', () => {
    assert.throws(() => {
      verifyBulkheadCommand([join(dir, 'nope')]);
    }, /bulkhead binary .*nope does not exist/);
    assert.throws(() => {
      verifyBulkheadCommand([dir]);
    }, /is not a regular file/);
    const plain = join(dir, 'plain');
    writeFileSync(plain, '#!/bin/sh\necho 0.1.0\n');
    chmodSync(plain, 0o644);
    assert.throws(() => {
      verifyBulkheadCommand([plain]);
    }, /plain is not executable/);
  });

  it('refuses a program that is not bulkhead, another version, and one that fails', () => {
    const other = join(dir, 'other-tool');
    writeFileSync(other, '#!/bin/sh\necho "usage: other-tool [-h]"\n');
    chmodSync(other, 0o755);
    assert.throws(() => {
      verifyBulkheadCommand([other]);
    }, /does not look like bulkhead/);
    const old = join(dir, 'old-bulkhead');
    writeFileSync(old, '#!/bin/sh\necho 0.0.1\n');
    chmodSync(old, 0o755);
    assert.throws(
      () => {
        verifyBulkheadCommand([old]);
      },
      new RegExp(`is bulkhead 0\\.0\\.1, not ${TOOL_VERSION}`),
    );
    const broken = join(dir, 'broken');
    writeFileSync(broken, '#!/bin/sh\necho "Error: Cannot find module dist/cli/main.js" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    assert.throws(() => {
      verifyBulkheadCommand([broken]);
    }, /--version failed \(exit 1\): Error: Cannot find module/);
  });
});
