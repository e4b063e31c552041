// `bulkhead audit` as users run it against fixture host trees (--root) with the engine down: host, daemon-flag
// and file rules still run, the command exits 2 with a clear engine message; selection, config and formats.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectionProgress } from '../../src/cli/commands/audit.js';
import type { ProgressTask } from '../../src/cli/progress.js';
import type { Finding } from '../../src/shared/finding.js';
import { runBulkhead } from '../harness/cli.js';
import { FIXTURE_HOST, FIXTURE_SOCKET, materializeHost, type MaterializedHost } from './fixture-hosts.js';

interface AuditJson {
  readonly findings: Finding[];
  readonly summary: { byOutcome: Record<string, number> };
}

const SOCKET = FIXTURE_SOCKET.slice(1);

function outcome(doc: AuditJson, ruleId: string): Finding {
  const f = doc.findings.find((x) => x.ruleId === ruleId);
  assert.ok(f, `no finding for ${ruleId}`);
  return f;
}

function evidenceText(f: Finding): string {
  return f.evidence.map((e) => `${e.source}=${e.value}`).join(' | ');
}

async function audit(root: string, ...args: string[]) {
  return runBulkhead(['audit', '--root', root, '--host', FIXTURE_HOST, ...args], {
    env: { PATH: process.env['PATH'] },
  });
}

describe('bulkhead audit --root (weak fixture host, engine down)', () => {
  let host: MaterializedHost;
  before(() => {
    host = materializeHost('weak', {
      [SOCKET]: { mode: 0o606, gid: 999 },
      'etc/docker/daemon.json': { mode: 0o666 },
    });
  });
  after(() => {
    host.remove();
  });

  it('runs the host rules, prints them, then exits 2 naming the engine', async () => {
    const r = await audit(host.root, '--format', 'json');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Docker engine unreachable at unix:\/\/\/run\/bh-fixture\/docker\.sock/);
    assert.match(r.stderr, /host rules ran/);
    const doc = JSON.parse(r.stdout) as AuditJson;
    // every weakness of the fixture, found by the right rule with its proof
    const expectFail: Record<string, string> = {
      'BH-F-008': '/run/bh-fixture/docker.sock mode=0606', // 606 < 660 as decimals: docker-bench passes it
      'BH-F-009': '/etc/docker/daemon.json mode=0666',
      'BH-H-001': 'linux-image-6.1.0-18-amd64=6.1.76-1',
      'BH-H-003': 'lockdown,capability,landlock,yama',
      'BH-H-004': '["dccp"]',
      'BH-H-005': 'runc=1.1.5+ds1-1',
      'BH-H-006': '["alice","bob"]',
      'BH-H-007': '/ (ext4, device 254:1)',
      'BH-D-003': '--log-level=debug', // "--log-level debug" (space form) on the command line
      'BH-D-004': '--iptables=false',
      'BH-D-005': '"insecure-registries": ["registry.internal:5000"]',
      'BH-D-008': 'tcp://0.0.0.0:2375',
      'BH-D-012': 'dm.basesize=50G',
    };
    for (const [id, needle] of Object.entries(expectFail)) {
      const f = outcome(doc, id);
      assert.equal(f.outcome.kind, 'fail', `${id}: ${f.message}`);
      assert.ok(evidenceText(f).includes(needle), `${id} evidence ${needle} not in ${evidenceText(f)}`);
    }
    assert.match(outcome(doc, 'BH-H-005').message, /CVE-2024-21626/);
    // engine rules are skipped with the reason, never passed
    for (const id of ['BH-C-004', 'BH-D-018', 'BH-IMG-001']) {
      const f = outcome(doc, id);
      assert.equal(f.outcome.kind, 'skip', id);
      assert.match(f.message, /engine not reached/);
    }
    // every finding carries its CIS aliases for both versions where the benchmark has the item
    assert.deepEqual(outcome(doc, 'BH-F-008').aliases, [
      'CIS-1.6.0:3.15',
      'CIS-1.6.0:3.16',
      'CIS-1.8.0:3.15',
      'CIS-1.8.0:3.16',
    ]);
    assert.deepEqual(outcome(doc, 'BH-C-004').aliases, ['CIS-1.6.0:5.4', 'CIS-1.8.0:5.5']);
  });

  it('treats a 0666 socket as world-accessible', async () => {
    const h = materializeHost('weak', { [SOCKET]: { mode: 0o666, gid: 999 } });
    try {
      const r = await audit(h.root, '--only', 'BH-F-008', '--format', 'json');
      assert.equal(r.code, 0, r.stderr);
      const f = outcome(JSON.parse(r.stdout) as AuditJson, 'BH-F-008');
      assert.equal(f.outcome.kind, 'fail');
      assert.match(f.message, /0666: extra access for others/);
    } finally {
      h.remove();
    }
  });

  it('prints a table grouped by layer with a summary', async () => {
    const r = await audit(host.root, '--only', 'host,files', '--no-color');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^daemon$/m);
    assert.match(r.stdout, /^host$/m);
    assert.match(r.stdout, /BH-F-008 .*0606/);
    assert.match(r.stdout, /^audit: \d+ failed \(2 critical, /m);
  });

  it('--fail-on exits 1 when a failure reaches the threshold, 0 when none does', async () => {
    assert.equal((await audit(host.root, '--only', 'host', '--fail-on', 'high', '-q')).code, 1);
    assert.equal((await audit(host.root, '--only', 'BH-H-002', '--fail-on', 'high', '-q')).code, 0);
  });

  it('selects by CIS section of either version', async () => {
    const r16 = await audit(host.root, '--only', 'CIS-1.6.0:3.16', '--format', 'json');
    const r18 = await audit(host.root, '--only', 'CIS-1.8.0:1.1', '--format', 'json');
    assert.deepEqual(
      [...new Set((JSON.parse(r16.stdout) as AuditJson).findings.map((f) => f.ruleId))],
      ['BH-F-008'],
    );
    assert.deepEqual(
      [...new Set((JSON.parse(r18.stdout) as AuditJson).findings.map((f) => f.ruleId))].sort(),
      ['BH-H-006', 'BH-H-007'],
    );
  });

  it('rejects an unknown --only token with exit 2', async () => {
    const r = await audit(host.root, '--only', 'BH-X-999');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--only BH-X-999 matches no audit rule/);
  });

  it('writes SARIF', async () => {
    const r = await audit(host.root, '--only', 'host', '--format', 'sarif');
    const sarif = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0]?.results.some((x) => x.ruleId === 'BH-H-001'));
  });

  describe('config file', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'bh-audit-cfg-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const write = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('applies waivers (with target pattern) and severity overrides', async () => {
      const cfg = write(
        'ok.yaml',
        [
          'trustedRegistries: [docker.io]',
          'waivers:',
          '  - rule: BH-H-006',
          '    target: host',
          '    reason: alice and bob are the on-call admins',
          '    expires: 2999-12-31',
          '  - rule: BH-H-004',
          '    reason: expired waiver',
          '    expires: 2001-01-01',
          'severity:',
          '  BH-H-007: critical',
        ].join('\n'),
      );
      const r = await audit(host.root, '--only', 'host', '--config', cfg, '--format', 'json');
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as AuditJson & { diagnostics: { message: string }[] };
      const waived = outcome(doc, 'BH-H-006');
      assert.equal(waived.outcome.kind, 'skip');
      assert.match(waived.message, /waived: alice and bob .* \(until 2999-12-31\)/);
      assert.equal(outcome(doc, 'BH-H-004').outcome.kind, 'fail', 'expired waivers do not apply');
      assert.ok(doc.diagnostics.some((d) => d.message.includes('expired on 2001-01-01')));
      assert.equal(outcome(doc, 'BH-H-007').severity, 'critical');
    });

    const bad: readonly [string, string, string, RegExp][] = [
      ['bad YAML', 'bad-yaml.yaml', 'waivers:\n  - rule: [unclosed\n', /bad-yaml\.yaml:\d+:\d+: /],
      [
        'unknown key with its line',
        'unknown-key.yaml',
        'trustedRegistries: []\nwaiverz: []\n',
        /unknown-key\.yaml:1:1: .*waiverz/,
      ],
      [
        'a waiver without a reason',
        'no-reason.yaml',
        'waivers:\n  - rule: BH-C-004\n',
        /no-reason\.yaml:2:5: waivers\.0\.reason/,
      ],
      [
        'an unknown rule id with its line',
        'unknown-rule.yaml',
        'waivers:\n  - rule: BH-C-999\n    reason: x\n',
        /unknown-rule\.yaml:2:11: unknown rule BH-C-999/,
      ],
      [
        'a bad severity',
        'bad-severity.yaml',
        'severity:\n  BH-C-004: urgent\n',
        /bad-severity\.yaml:2:13: severity\.BH-C-004/,
      ],
      [
        'a bad date',
        'bad-date.yaml',
        'waivers:\n  - rule: BH-C-004\n    reason: x\n    expires: tomorrow\n',
        /bad-date\.yaml:4:14: .*YYYY-MM-DD/,
      ],
    ];
    for (const [what, file, text, pattern] of bad) {
      it(`rejects ${what} with exit 2`, async () => {
        const path = write(file, text);
        const r = await audit(host.root, '--only', 'host', '--config', path);
        assert.equal(r.code, 2);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
      });
    }

    it('names a missing config file', async () => {
      const r = await audit(host.root, '--config', join(dir, 'absent.yaml'));
      assert.equal(r.code, 2);
      assert.match(r.stderr, /absent\.yaml: cannot read the config file \(ENOENT\)/);
    });
  });
});

describe('bulkhead audit --root (hardened fixture host)', () => {
  let host: MaterializedHost;
  before(() => {
    host = materializeHost('hardened', {
      [SOCKET]: { mode: 0o660, gid: 999 },
      'etc/docker/daemon.json': { mode: 0o644 },
    });
  });
  after(() => {
    host.remove();
  });

  it('passes the socket (0660 root:docker), the daemon.json settings and the host rules', async () => {
    // BH-H-020 (a general-purpose distribution) fails on every Debian host by design
    const r = await audit(
      host.root,
      '--only',
      'host,files,daemon',
      '--skip',
      'BH-H-002,BH-H-020',
      '--format',
      'json',
    );
    const doc = JSON.parse(r.stdout) as AuditJson;
    for (const id of [
      'BH-F-008',
      'BH-F-009',
      'BH-H-001',
      'BH-H-003',
      'BH-H-006',
      'BH-H-007',
      'BH-D-003',
      'BH-D-009',
      'BH-D-012',
      'BH-D-015',
      'BH-D-017',
    ])
      assert.equal(outcome(doc, id).outcome.kind, 'pass', `${id}: ${outcome(doc, id).message}`);
    // "userns-remap" and "icc" from daemon.json are judged without the engine
    assert.equal(outcome(doc, 'BH-D-010').outcome.kind, 'pass');
    assert.equal(outcome(doc, 'BH-D-002').outcome.kind, 'pass');
    const failures = doc.findings.filter((f) => f.outcome.kind === 'fail').map((f) => f.ruleId);
    assert.deepEqual(failures, []);
  });
});

describe('audit progress', () => {
  const recorder = (): { task: ProgressTask; seen: string[] } => {
    const seen: string[] = [];
    return {
      seen,
      task: {
        update: (t) => seen.push(t),
        done: () => seen.push('done'),
      },
    };
  };

  it('reports inspection progress for many containers, and ends the line', () => {
    const { task, seen } = recorder();
    const report = inspectionProgress(task);
    report(1, 120);
    report(120, 120);
    assert.deepEqual(seen, ['bulkhead: inspecting 1/120 containers and images', 'done']);
  });

  it('stays silent for few containers', () => {
    const { task, seen } = recorder();
    inspectionProgress(task)(3, 5);
    assert.deepEqual(seen, []);
  });
});
