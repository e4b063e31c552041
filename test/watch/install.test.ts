// `bulkhead watch install` names the running binary by default (it printed /usr/local/bin/bulkhead, which
// `npm install -g` never writes), through the shared src/shared/self-binary.ts; its unit loads in systemd-analyze and
// scores 2.8 in `systemd-analyze security` (test/watch/install-caps.test.ts runs watch under its limits).
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runBulkhead } from '../harness/cli.js';
import { exposure, verifyUnits } from '../harness/systemd.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('bulkhead watch install', () => {
  it('starts the running bulkhead by default (node + real bin/bulkhead.js), not /usr/local/bin/bulkhead', async () => {
    const r = await runBulkhead(['watch', 'install']);
    assert.equal(r.code, 0, r.stderr);
    const script = realpathSync(join(ROOT, 'bin/bulkhead.js'));
    assert.ok(r.stdout.includes(`\nExecStart=${process.execPath} ${script} watch --mode alert `), r.stdout);
  });

  it('starts --bin when given', async () => {
    const r = await runBulkhead(['watch', 'install', '--bin', '/opt/bh/bulkhead']);
    assert.match(r.stdout, /^ExecStart=\/opt\/bh\/bulkhead watch --mode alert /m);
  });

  it('is a unit systemd loads, hardened to exposure 2.8 (9.0 "UNSAFE" before the sandbox)', async () => {
    const r = await runBulkhead(['watch', 'install', '--mode', 'deny']);
    assert.equal(r.code, 0, r.stderr);
    const dir = mkdtempSync(join(tmpdir(), 'bh-watch-unit-'));
    try {
      const unit = join(dir, 'bulkhead-watch.service');
      writeFileSync(unit, r.stdout);
      verifyUnits([unit]);
      // what test/watch/install-caps.test.ts runs watch under, and what it needs beyond a plain service
      assert.match(
        r.stdout,
        /^CapabilityBoundingSet=CAP_SYS_ADMIN CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_KILL CAP_SYS_NICE$/m,
      );
      assert.doesNotMatch(r.stdout, /^(RestrictRealtime|MemoryDenyWriteExecute|PrivateNetwork)=/m);
      const score = exposure(unit);
      assert.ok(score <= 2.8, `exposure ${score}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
