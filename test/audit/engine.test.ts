// `bulkhead audit` against the real test engine: one container per weakness and one hardened container; every
// weakness is found by the right rule with its evidence, and the hardened container has no container failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/shared/finding.js';
import { runBulkhead } from '../harness/cli.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const P = 'bhaudit';

interface AuditJson {
  readonly findings: Finding[];
}

describe('bulkhead audit on the test engine', engineSuite, () => {
  let engine: SharedEngine;
  let doc: AuditJson;
  let stderr: string;
  const names: string[] = [];

  const run = (
    name: string,
    args: readonly string[],
    command: readonly string[] = ['sleep', '3600'],
  ): void => {
    names.push(`${P}-${name}`);
    engine.docker([
      'run',
      '-d',
      '--name',
      `${P}-${name}`,
      '--network',
      'none',
      ...args,
      BUSYBOX_IMAGE,
      ...command,
    ]);
  };

  before(async () => {
    engine = sharedEngine();
    run('priv', ['--privileged', '--runtime', 'runsc']);
    run('sysadmin', ['--cap-add', 'SYS_ADMIN']);
    run('unconfined', ['--security-opt', 'seccomp=unconfined']);
    run('pidhost', ['--pid', 'host']);
    run('ipchost', ['--ipc', 'host']);
    run('utshost', ['--uts', 'host']);
    run('sock', ['-v', `${engine.socket}:/tmp/engine.sock`]);
    run('etcro', ['-v', '/etc:/host-etc:ro']);
    run('always', ['--restart', 'always']);
    run('nolimits', []);
    run('hardened', [
      '--user',
      '1000:1000',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--memory',
      '64m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '64',
      '--security-opt',
      'no-new-privileges',
      '--health-cmd',
      'true',
      '--health-interval',
      '30s',
    ]);
    const result = await runBulkhead(
      ['audit', '--host', engine.host, '--format', 'json', '--only', 'container,image,daemon'],
      {
        env: { PATH: process.env['PATH'] },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    doc = JSON.parse(result.stdout) as AuditJson;
    stderr = result.stderr;
  });

  after(() => {
    if (names.length > 0) engine.docker(['rm', '-f', ...names]);
  });

  function finding(container: string, ruleId: string): Finding {
    const f = doc.findings.find(
      (x) => x.ruleId === ruleId && x.target.kind === 'container' && x.target.name === `${P}-${container}`,
    );
    assert.ok(f, `no ${ruleId} finding for ${container}`);
    return f;
  }

  const weaknesses: readonly [string, string, readonly string[]][] = [
    ['priv', 'BH-C-004', ['HostConfig.Privileged=true', 'HostConfig.Runtime=runsc']],
    ['priv', 'BH-C-003', ['HostConfig.Privileged=true']], // privileged means every capability
    ['priv', 'BH-C-019', ['HostConfig.Privileged=true']], // ... and no seccomp
    ['priv', 'BH-C-016', ['HostConfig.Privileged=true']], // ... and every device
    ['sysadmin', 'BH-C-003', ['SYS_ADMIN']],
    ['sysadmin', 'BH-C-028', ['HostConfig.Runtime=runc']],
    ['unconfined', 'BH-C-019', ['seccomp=unconfined']],
    ['pidhost', 'BH-C-014', ['HostConfig.PidMode=host']],
    ['ipchost', 'BH-C-015', ['HostConfig.IpcMode=host']],
    ['utshost', 'BH-C-018', ['HostConfig.UTSMode=host']],
    ['sock', 'BH-C-026', ['/tmp/engine.sock']],
    ['etcro', 'BH-C-005', ['Mounts[0].Source=/etc', 'Mounts[0].RW=false']],
    ['always', 'BH-C-013', ['HostConfig.RestartPolicy.Name=always']],
    ['nolimits', 'BH-C-009', ['HostConfig.Memory=0']],
    ['nolimits', 'BH-C-023', ['HostConfig.PidsLimit']],
    ['nolimits', 'BH-C-010', ['HostConfig.NanoCpus=0']],
    ['nolimits', 'BH-C-011', ['HostConfig.ReadonlyRootfs=false']],
    ['nolimits', 'BH-C-027', ['Config.User=(empty: root)']],
  ];
  for (const [container, ruleId, needles] of weaknesses) {
    it(`finds ${container} with ${ruleId}`, () => {
      const f = finding(container, ruleId);
      const lines = f.evidence.map((e) => `${e.source}=${e.value}`);
      assert.equal(f.outcome.kind, 'fail', `${f.message} | ${lines.join(' | ')}`);
      for (const needle of needles)
        assert.ok(
          lines.some((l) => l.includes(needle)),
          `${needle} not in ${lines.join(' | ')}`,
        );
    });
  }

  it('matches the daemon socket by its real path, mounted under another name', () => {
    const f = finding('sock', 'BH-C-026');
    assert.ok(f.evidence.some((e) => e.value === engine.socket && e.source.endsWith('.Source')));
  });

  it('does not blame the sandbox runtime check on a privileged container under runsc', () => {
    assert.equal(finding('priv', 'BH-C-028').outcome.kind, 'pass');
  });

  it('finds no container-level failure on the hardened container', () => {
    const failures = doc.findings.filter(
      (f) => f.target.kind === 'container' && f.target.name === `${P}-hardened` && f.outcome.kind === 'fail',
    );
    assert.deepEqual(
      failures.map((f) => `${f.ruleId}: ${f.message}`),
      [],
    );
    const checked = doc.findings.filter(
      (f) => f.target.kind === 'container' && f.target.name === `${P}-hardened`,
    );
    assert.ok(checked.length >= 25, `only ${checked.length} container rules ran`);
  });

  it('reports the image in use and the Engine API calls made', () => {
    assert.ok(
      doc.findings.some(
        (f) => f.ruleId === 'BH-IMG-001' && f.target.kind === 'image' && f.target.ref === BUSYBOX_IMAGE,
      ),
    );
    assert.match(stderr, /audited \d+ running containers in \d+ ms \(\d+ Engine API calls\)/);
  });
});
