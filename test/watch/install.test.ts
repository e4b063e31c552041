// `bulkhead watch install` names the running binary by default (it printed /usr/local/bin/bulkhead, which
// `npm install -g` never writes), through the shared src/shared/self-binary.ts.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runBulkhead } from '../harness/cli.js';

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
});
