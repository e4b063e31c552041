// `bulkhead audit --root` over the host-hardening fixture trees: every planted weakness of each weak host is found
// by its rule with the file:line or socket and process as evidence; the hardened twins have no hardening failure
// (but BH-H-020 on general-purpose distributions, which is what that rule says); nothing crashes on the real root.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/shared/finding.js';
import { runBulkhead } from '../harness/cli.js';
import { FIXTURE_HOST } from './fixture-hosts.js';
import { DISTROS, materializeHardeningHost } from './hardening-hosts.js';

const HARDENING = Array.from({ length: 21 }, (_, i) => `BH-H-${String(20 + i).padStart(3, '0')}`);

async function auditHardening(root: string, ...extra: string[]): Promise<Finding[]> {
  const r = await runBulkhead(
    [
      'audit',
      '--root',
      root,
      '--host',
      FIXTURE_HOST,
      '--only',
      HARDENING.join(','),
      '-f',
      'json',
      '-q',
      ...extra,
    ],
    { env: { PATH: process.env['PATH'] } },
  );
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, r.stderr);
  const doc = JSON.parse(r.stdout) as { findings: Finding[] };
  return doc.findings;
}

const line = (f: Finding): string => f.evidence.map((e) => `${e.source}=${e.value}`).join(' | ');

describe('host hardening rules on fixture hosts', () => {
  for (const distro of DISTROS) {
    it(`${distro}: every planted weakness is found with its evidence`, async () => {
      const host = materializeHardeningHost(distro, 'weak');
      try {
        const findings = await auditHardening(host.root);
        assert.equal(findings.length, HARDENING.length, 'one check per hardening rule');
        for (const plant of host.plants) {
          const f = findings.find((x) => x.ruleId === plant.rule);
          assert.ok(f, `no ${plant.rule}`);
          assert.equal(f.outcome.kind, 'fail', `${plant.rule}: ${f.message}`);
          assert.ok(line(f).includes(plant.evidence), `${plant.rule}: '${plant.evidence}' not in ${line(f)}`);
        }
      } finally {
        host.remove();
      }
    });

    it(`${distro}: the hardened twin is clean`, async () => {
      const host = materializeHardeningHost(distro, 'hardened');
      try {
        const failures = (await auditHardening(host.root)).filter((f) => f.outcome.kind === 'fail');
        const general = distro === 'debian' || distro === 'ubuntu' || distro === 'rocky';
        assert.deepEqual(
          failures.map((f) => f.ruleId),
          general ? ['BH-H-020'] : [],
          failures.map((f) => `${f.ruleId}: ${f.message}`).join('\n'),
        );
      } finally {
        host.remove();
      }
    });
  }

  it('sshd is not installed on Bottlerocket: the sshd rules skip with that reason', async () => {
    const host = materializeHardeningHost('bottlerocket', 'hardened');
    try {
      const findings = await auditHardening(host.root);
      for (const id of ['BH-H-026', 'BH-H-027', 'BH-H-028', 'BH-H-029']) {
        const f = findings.find((x) => x.ruleId === id);
        assert.equal(f?.outcome.kind, 'skip', id);
        assert.match(f.message, /sshd is not installed/);
      }
      assert.equal(findings.find((x) => x.ruleId === 'BH-H-024')?.outcome.kind, 'not-applicable');
    } finally {
      host.remove();
    }
  });

  it('a listener allowed in the config (with its reason) no longer fails', async () => {
    const host = materializeHardeningHost('flatcar', 'weak');
    const dir = mkdtempSync(join(tmpdir(), 'bh-hardening-config-'));
    try {
      const config = join(dir, 'audit.yaml');
      writeFileSync(
        config,
        'hostListeners:\n  allow:\n    - process: node_exporter\n      port: 9100\n      reason: scraped by Prometheus\n',
      );
      const f = (await auditHardening(host.root, '--config', config)).find((x) => x.ruleId === 'BH-H-021');
      assert.equal(f?.outcome.kind, 'pass', f?.message);
      writeFileSync(config, 'hostListeners:\n  allow:\n    - reason: nothing named\n');
      const r = await runBulkhead(
        ['audit', '--root', host.root, '--host', FIXTURE_HOST, '--config', config],
        {
          env: { PATH: process.env['PATH'] },
        },
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /audit\.yaml:3:\d+: hostListeners\.allow\.0: name a process, a port or both/);
    } finally {
      host.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs on this machine's real root without errors, every unknown a skip with its reason", async () => {
    const findings = await auditHardening('/');
    assert.equal(findings.length, HARDENING.length);
    for (const f of findings) {
      if (f.outcome.kind === 'skip')
        assert.ok(f.outcome.reason.length > 10, `${f.ruleId} skip without a reason`);
      assert.ok(!/undefined|NaN|\[object/.test(f.message), `${f.ruleId}: ${f.message}`);
    }
  });
});
