// `bulkhead agent install` (issue 14 item 6): the systemd service + timer pass `systemd-analyze verify` (Debian 12's
// systemd 252; a warning on stderr counts as a failure) and stay under an exposure score in `systemd-analyze
// security --offline`; the Kubernetes manifests parse as YAML (1.2 and kubectl's 1.1 alike) and validate against the
// OpenAPI schema of their kind (test/harness/kube-schema.ts); every flag is checked, exit 2 with a clear message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentManifests, calendarFor, planAgentInstall } from '../../src/agent/install.js';
import { bulkheadWrapper } from '../harness/bulkhead-wrapper.js';
import { runBulkhead } from '../harness/cli.js';
import {
  assertInvalid,
  edited,
  parseManifests,
  validateKubeObject,
  type InvalidCase,
  type KubeDoc,
} from '../harness/kube-schema.js';
import { exposure, verifyUnits } from '../harness/systemd.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bh-agent-install-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const SERVER = 'https://bulkhead.example:8443';
let n = 0;
const fresh = (): string => {
  n += 1;
  return join(dir, `w${n}`);
};

describe('bulkhead agent install --format systemd', () => {
  it('prints a oneshot service running `agent --once` with the token from a file, and a timer', async () => {
    const r = await runBulkhead(['agent', 'install', '--server', SERVER, '--label', 'env=prod']);
    assert.equal(r.code, 0, r.stderr);
    const script = realpathSync(join(ROOT, 'bin/bulkhead.js'));
    assert.ok(
      r.stdout.includes(
        `\nExecStart=${process.execPath} ${script} agent --once --server ${SERVER} --token-file /etc/bulkhead/agent-enrol-token --state /var/lib/bulkhead/agent --label env=prod\n`,
      ),
      r.stdout,
    );
    assert.match(r.stdout, /^# bulkhead-agent\.service\n\[Unit\]/);
    assert.match(r.stdout, /^Type=oneshot$/m);
    assert.doesNotMatch(r.stdout, /--token /);
    for (const line of [
      'StateDirectory=bulkhead/agent',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=CAP_DAC_READ_SEARCH',
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    ])
      assert.ok(r.stdout.includes(`\n${line}\n`), line);
    // dockerd's /proc entry and /lib/modules are read by the host checks: neither may be hidden
    assert.doesNotMatch(r.stdout, /ProtectProc=|ProtectKernelModules=/);
    const timer = r.stdout.slice(r.stdout.indexOf('# bulkhead-agent.timer'));
    for (const line of [
      'OnCalendar=*-*-* *:00:00',
      'Persistent=true',
      'RandomizedDelaySec=15min',
      'FixedRandomDelay=true',
      'Unit=bulkhead-agent.service',
      'WantedBy=timers.target',
    ])
      assert.ok(timer.includes(`\n${line}\n`), line);
    assert.match(r.stderr, /next: systemctl daemon-reload && systemctl enable --now bulkhead-agent\.timer/);
  });

  it('--write checks the binary, writes both units; systemd-analyze verifies them; exposure stays under 3.0', async () => {
    const out = fresh();
    mkdirSync(out);
    const bin = bulkheadWrapper(out);
    const r = await runBulkhead(['agent', 'install', '--server', SERVER, '--bin', bin, '--write', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /checked: .* --version is \d+\.\d+\.\d+/);
    const service = join(out, 'bulkhead-agent.service');
    verifyUnits([service, join(out, 'bulkhead-agent.timer')]);
    const score = exposure(service);
    assert.ok(score <= 3.0, `exposure ${score}`);
  });

  it('quotes paths with spaces, %, $ and quotes as systemd reads them (verify finds the binary only then)', async () => {
    const out = fresh();
    const odd = join(out, 'opt/bulk head %i $HOME');
    mkdirSync(odd, { recursive: true });
    const bin = bulkheadWrapper(odd);
    const r = await runBulkhead([
      'agent',
      'install',
      '--server',
      SERVER,
      '--bin',
      bin,
      '--token-file',
      '/etc/bulk head/to%ken$1"q"\\',
      '--write',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(out, 'bulkhead-agent.service'), 'utf8');
    assert.ok(
      text.includes(
        `ExecStart="${out}/opt/bulk head %%i $HOME/bulkhead-wrapper" agent --once --server ${SERVER} --token-file "/etc/bulk head/to%%ken$$1\\"q\\"\\\\" `,
      ),
      text,
    );
    verifyUnits([join(out, 'bulkhead-agent.service'), join(out, 'bulkhead-agent.timer')]);
    const quoted = await runBulkhead(['agent', 'install', '--server', SERVER, '--bin', '/opt/"q"/bulkhead']);
    assert.equal(quoted.code, 2);
    assert.match(quoted.stderr, /has a quote or a backslash, which systemd refuses in a path/);
  });

  it('maps --every to a calendar (Persistent= catches up) or, when none fits, to a monotonic timer', async () => {
    const cases: readonly (readonly [string, string | undefined])[] = [
      ['30s', '*-*-* *:*:00/30'],
      ['1m', '*-*-* *:*:00'],
      ['15m', '*-*-* *:00/15:00'],
      ['1h', '*-*-* *:00:00'],
      ['6h', '*-*-* 00/6:00:00'],
      ['1d', '*-*-* 00:00:00'],
      ['7d', 'Mon *-*-* 00:00:00'],
      ['7m', undefined],
      ['5h', undefined],
      ['2d', undefined],
    ];
    for (const [every, calendar] of cases) {
      const plan = planAgentInstall({ server: SERVER, every, command: ['/bin/true'] });
      assert.equal(calendarFor(plan.everyMs), calendar, every);
    }
    for (const [every, calendar] of cases) {
      if (calendar === undefined) continue;
      const r = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${calendar}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Normalized form: ${calendar.replace(/[*/]/g, '\\$&')}`), every);
    }
    const mono = await runBulkhead(['agent', 'install', '--server', SERVER, '--every', '5h']);
    assert.match(mono.stdout, /^OnBootSec=5min\nOnUnitActiveSec=5h\nRandomizedDelaySec=1h\n/m);
    assert.doesNotMatch(mono.stdout, /Persistent=/);
    const none = await runBulkhead([
      'agent',
      'install',
      '--server',
      SERVER,
      '--every',
      '15m',
      '--random-delay',
      '0',
    ]);
    assert.match(none.stdout, /^RandomizedDelaySec=0$/m);
    const day = await runBulkhead(['agent', 'install', '--server', SERVER, '--every', '1d']);
    assert.match(day.stdout, /^RandomizedDelaySec=1h$/m);
  });

  it('refuses bad values with exit 2 and a message that names the flag', async () => {
    const cases: readonly (readonly [readonly string[], RegExp])[] = [
      [[], /agent install needs --server URL/],
      [['--server', 'ftp://x.example'], /--server "ftp:\/\/x.example" is not an http\(s\):\/\/ base URL/],
      [['--server', 'https://x.example/api'], /is not an http\(s\):\/\/ base URL/],
      [['--server', 'https://u:p@x.example'], /is not an http\(s\):\/\/ base URL/],
      [
        ['--server', SERVER, '--every', '10x'],
        /--every must be a whole number and a unit \(ms, s, m, h, d\), got 10x/,
      ],
      [['--server', SERVER, '--every', '0m'], /--every must be a whole number and a unit .*, got 0m/],
      [
        ['--server', SERVER, '--every', '1h', '--random-delay', '2h'],
        /--random-delay 2h is longer than --every 1h/,
      ],
      [['--server', SERVER, '--label', 'env'], /--label "env" is not k=v/],
      [
        ['--server', SERVER, '--label', 'Bad_Prefix.example/x=y'],
        /the prefix "Bad_Prefix.example" is not a DNS subdomain/,
      ],
      [['--server', SERVER, '--label', 'env=-prod'], /the value must be empty or at most 63/],
      [['--server', SERVER, '--label', `k=${'v'.repeat(64)}`], /the value must be empty or at most 63/],
      [['--server', SERVER, '--label', 'a\nb=c'], /the name "a\\nb" must be at most 63/],
      [
        ['--server', SERVER, '--token-file', 'relative/token'],
        /--token-file relative\/token is not an absolute path/,
      ],
      [['--server', SERVER, '--token-file', '/etc/a\nb'], /contains a control character/],
      [['--server', SERVER, '--format', 'helm'], /--format/],
      [
        ['--server', SERVER, '--format', 'kubernetes', '--image', 'Bad Image'],
        /--image "Bad Image": invalid image reference/,
      ],
      [
        ['--server', SERVER, '--format', 'kubernetes', '--namespace', 'Bulkhead'],
        /--namespace "Bulkhead" is not a DNS-1123 label/,
      ],
      [
        ['--server', SERVER, '--format', 'kubernetes', '--node-selector', 'dockerd'],
        /--node-selector "dockerd" is not k=v/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runBulkhead(['agent', 'install', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it('--write into a place it cannot write leaves nothing behind (exit 2)', async () => {
    const out = fresh();
    mkdirSync(out);
    const blocker = join(out, 'file');
    writeFileSync(blocker, '');
    const bin = bulkheadWrapper(out);
    const r = await runBulkhead([
      'agent',
      'install',
      '--server',
      SERVER,
      '--bin',
      bin,
      '--write',
      join(blocker, 'units'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write .*; nothing was written/);
    const missing = await runBulkhead([
      'agent',
      'install',
      '--server',
      SERVER,
      '--bin',
      join(out, 'nope'),
      '--write',
      out,
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not exist/);
    assert.ok(!existsSync(join(out, 'bulkhead-agent.service')));
  });
});

describe('bulkhead agent install --format kubernetes', () => {
  const kube = async (extra: readonly string[] = []): Promise<KubeDoc[]> => {
    const r = await runBulkhead(['agent', 'install', '--format', 'kubernetes', '--server', SERVER, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /next: bulkhead server token create --uses NODES --expires 24h > TOKENFILE/);
    assert.match(
      r.stderr,
      /next: kubectl -n \S+ create secret generic bulkhead-agent-enrol --from-file=token=TOKENFILE\n/,
    );
    return parseManifests(r.stdout);
  };

  it('prints a Namespace, a ServiceAccount and a DaemonSet, each valid against its Kubernetes schema', async () => {
    for (const extra of [[], ['--label', 'env=prod', '--label', 'example.com/team=web', '--every', '15m']]) {
      const docs = await kube(extra);
      assert.deepEqual(
        docs.map((d) => d.kind),
        ['Namespace', 'ServiceAccount', 'DaemonSet'],
      );
      for (const doc of docs) validateKubeObject(doc);
    }
  });

  it('the Secret the next step creates is valid and holds the one key every pod reads; the schema checks items', async () => {
    const docs = await kube(['--namespace', 'agents']);
    const ds = docs[2] as unknown as {
      spec: { template: { spec: { volumes: { name: string; secret?: Record<string, unknown> }[] } } };
    };
    const volume = ds.spec.template.spec.volumes.find((v) => v.name === 'enrol-token');
    assert.ok(volume?.secret !== undefined);
    // what `kubectl -n agents create secret generic bulkhead-agent-enrol --from-file=token=TOKENFILE` stores
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: volume.secret['secretName'], namespace: 'agents' },
      data: { token: Buffer.from('bhe_example\n').toString('base64') },
    };
    validateKubeObject(secret);
    assert.deepEqual(
      (volume.secret['items'] as { key: string }[]).map((i) => i.key),
      Object.keys(secret.data),
    );
    // the validator would catch a malformed projection (items need key and path)
    const broken = structuredClone(docs[2]) as unknown as typeof ds;
    const brokenVolume = broken.spec.template.spec.volumes.find((v) => v.name === 'enrol-token');
    assert.ok(brokenVolume?.secret !== undefined);
    brokenVolume.secret['items'] = [{ key: 'token' }];
    assert.throws(() => {
      validateKubeObject(broken);
    }, /path/);
  });

  it('the DaemonSet runs on the dockerd nodes with / read-only at /host, --root /host and the docker socket', async () => {
    const docs = await kube([
      '--label',
      'on=yes',
      '--node-selector',
      'example.com/runtime=docker',
      '--image',
      'registry.example:5000/sec/bulkhead:0.1.0',
    ]);
    const ds = docs[2] as unknown as {
      metadata: { namespace: string };
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: {
          metadata: { labels: Record<string, string> };
          spec: {
            nodeSelector: Record<string, string>;
            automountServiceAccountToken: boolean;
            hostPID: boolean;
            hostNetwork: boolean;
            containers: {
              image: string;
              args: string[];
              resources: { requests: Record<string, string>; limits: Record<string, string> };
              securityContext: Record<string, unknown>;
              volumeMounts: {
                name: string;
                mountPath: string;
                readOnly?: boolean;
                recursiveReadOnly?: string;
              }[];
            }[];
            volumes: {
              name: string;
              hostPath?: { path: string; type: string };
              secret?: {
                secretName: string;
                optional: boolean;
                defaultMode: number;
                items: { key: string; path: string }[];
              };
            }[];
          };
        };
      };
    };
    assert.equal(ds.metadata.namespace, 'bulkhead-agent');
    const pod = ds.spec.template.spec;
    assert.deepEqual(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels);
    assert.deepEqual(pod.nodeSelector, { 'example.com/runtime': 'docker', 'kubernetes.io/os': 'linux' });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.hostPID, false);
    assert.equal(pod.hostNetwork, false);
    const [c] = pod.containers;
    assert.ok(c !== undefined);
    assert.equal(c.image, 'registry.example:5000/sec/bulkhead:0.1.0');
    const arg = (flag: string): string | undefined => c.args[c.args.indexOf(flag) + 1];
    assert.equal(c.args[0], 'agent');
    assert.equal(arg('--root'), '/host');
    assert.equal(arg('--server'), SERVER);
    assert.equal(arg('--every'), '1h');
    assert.equal(arg('--name'), '$(NODE_NAME)');
    // one shared token (a use per node) from one Secret key: no per-node file to regenerate
    assert.equal(arg('--token-file'), '/etc/bulkhead/enrol/token');
    // "yes" must stay a string for kubectl's YAML 1.1 reader too (parseManifests compares both readings)
    assert.equal(arg('--label'), 'on=yes');
    const mount = (name: string): (typeof c.volumeMounts)[number] | undefined =>
      c.volumeMounts.find((m) => m.name === name);
    const volume = (name: string): (typeof pod.volumes)[number] | undefined =>
      pod.volumes.find((v) => v.name === name);
    assert.deepEqual(volume('host')?.hostPath, { path: '/', type: 'Directory' });
    assert.equal(mount('host')?.mountPath, '/host');
    assert.equal(mount('host')?.readOnly, true);
    assert.equal(mount('host')?.recursiveReadOnly, 'IfPossible');
    assert.deepEqual(volume('docker-sock')?.hostPath, { path: '/var/run/docker.sock', type: 'Socket' });
    assert.equal(mount('docker-sock')?.mountPath, '/var/run/docker.sock');
    assert.deepEqual(volume('enrol-token')?.secret?.secretName, 'bulkhead-agent-enrol');
    assert.equal(volume('enrol-token')?.secret?.optional, true);
    assert.equal(volume('enrol-token')?.secret?.defaultMode, 0o400);
    assert.deepEqual(volume('enrol-token')?.secret?.items, [{ key: 'token', path: 'token' }]);
    assert.equal(mount('enrol-token')?.mountPath, '/etc/bulkhead/enrol');
    assert.equal(mount('enrol-token')?.readOnly, true);
    assert.ok(!c.args.some((a) => a.includes('NODE_NAME') && a.startsWith('/etc/bulkhead/enrol')));
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] },
    });
    assert.ok(c.resources.requests['memory'] !== undefined && c.resources.limits['memory'] !== undefined);
  });

  it('prints exactly the objects the builder makes (YAML from the yaml package, not by hand)', async () => {
    const docs = await kube(['--label', 'x=0755']);
    const plan = planAgentInstall({ server: SERVER, labels: ['x=0755'], command: [] });
    assert.deepEqual(docs, JSON.parse(JSON.stringify(agentManifests(plan))));
  });

  it('a broken DaemonSet fails validation (the check can fail)', async () => {
    const [, , ds] = await kube();
    assert.ok(ds !== undefined);
    const container = ['spec', 'template', 'spec', 'containers', 0];
    const cases: readonly InvalidCase[] = [
      ['no selector', edited(ds, ['spec', 'selector']), /must have required property selector/],
      [
        'readOnly as a string',
        edited(ds, [...container, 'volumeMounts', 0, 'readOnly'], 'yes'),
        /readOnly must be boolean/,
      ],
      [
        'an unknown update strategy',
        edited(ds, ['spec', 'updateStrategy', 'type'], 'Sometimes'),
        /must be equal to one of the allowed values/,
      ],
      ['a container without a name', edited(ds, [...container, 'name']), /must have required property name/],
      [
        'a port as text',
        edited(ds, [...container, 'ports'], [{ containerPort: 'http' }]),
        /containerPort must be integer/,
      ],
    ];
    assertInvalid(cases);
    assert.throws(
      () => parseManifests('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: on\n'),
      /YAML 1\.1/,
    );
    assert.throws(
      () =>
        parseManifests(
          'apiVersion: v1\nkind: Namespace\nmetadata:\n  labels: &l {a: b}\n  annotations: *l\n',
        ),
      /YAML aliases \(\*l\)/,
    );
  });

  it('--write DIR writes bulkhead-agent.yaml', async () => {
    const out = fresh();
    const r = await runBulkhead([
      'agent',
      'install',
      '--format',
      'kubernetes',
      '--server',
      SERVER,
      '--write',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const docs = parseManifests(readFileSync(join(out, 'bulkhead-agent.yaml'), 'utf8'));
    assert.equal(docs.length, 3);
  });
});

describe('bulkhead agent --token-file', () => {
  it('reads the enrolment token from the file when it must enrol, and says which file it cannot read', async () => {
    const state = fresh();
    const r = await runBulkhead([
      'agent',
      '--server',
      'http://127.0.0.1:9',
      '--token-file',
      join(state, 'none'),
      '--state',
      state,
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read the enrolment token file .*none \(ENOENT\)/);
    const two = join(dir, 'two-tokens');
    writeFileSync(two, 'bhe_a bhe_b\n');
    const r2 = await runBulkhead([
      'agent',
      '--server',
      'http://127.0.0.1:9',
      '--token-file',
      two,
      '--state',
      state,
    ]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /does not hold one token/);
    const noServer = await runBulkhead(['agent', '--once']);
    assert.equal(noServer.code, 2);
    assert.match(noServer.stderr, /--server/);
  });
});
