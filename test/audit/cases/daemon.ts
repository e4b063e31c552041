// Case tables for the daemon rules (BH-D-*): flags, daemon.json forms and Engine API answers.
import { unknown, type EngineFacts } from '../../../src/facts/index.js';
import { buildFacts, daemonHost, engineFacts, hostFacts } from '../facts-builder.js';
import type { CaseTable, Expect, RuleCase } from './types.js';

const daemon = (outcome: Expect['outcome'], evidence?: string[], message?: string): Expect[] => [
  {
    target: 'daemon',
    outcome,
    ...(evidence === undefined ? {} : { evidence }),
    ...(message === undefined ? {} : { message }),
  },
];
const hostCase = (
  name: string,
  flags: Record<string, string[]>,
  config: Record<string, unknown> | undefined,
  outcome: Expect['outcome'],
  evidence?: string[],
): RuleCase => ({
  name,
  facts: buildFacts({ host: daemonHost(flags, config), engine: null }),
  expect: daemon(outcome, evidence),
});
const engineCase = (
  name: string,
  engine: EngineFacts,
  outcome: Expect['outcome'],
  evidence?: string[],
): RuleCase => ({
  name,
  facts: buildFacts({ engine }),
  expect: daemon(outcome, evidence),
});
const unknownFlags = hostFacts({ dockerd: unknown('no dockerd process under the root') });
const info = (extra: Partial<EngineFacts['info']>): EngineFacts => {
  const e = engineFacts();
  return { ...e, info: { ...e.info, ...extra } };
};

export const daemonCases: CaseTable = {
  'BH-D-001': [
    engineCase('root daemon fails', engineFacts(), 'fail', ['/info SecurityOptions']),
    engineCase(
      'rootless passes',
      engineFacts({ security: ['name=seccomp,profile=default', 'name=rootless'] }),
      'pass',
    ),
    {
      name: 'engine down skips',
      facts: buildFacts({ engine: null }),
      expect: daemon('skip', undefined, 'engine not reached'),
    },
  ],
  'BH-D-002': [
    engineCase(
      'bridge with icc on fails',
      {
        ...engineFacts(),
        networks: [
          {
            Name: 'bridge',
            Id: 'b',
            Driver: 'bridge',
            Options: { 'com.docker.network.bridge.enable_icc': 'true' },
          },
        ],
      },
      'fail',
      ['enable_icc"]=true'],
    ),
    engineCase(
      'bridge with icc off passes',
      {
        ...engineFacts(),
        networks: [
          {
            Name: 'bridge',
            Id: 'b',
            Driver: 'bridge',
            Options: { 'com.docker.network.bridge.enable_icc': 'false' },
          },
        ],
      },
      'pass',
    ),
    engineCase(
      'no default bridge is not applicable',
      { ...engineFacts(), networks: [{ Name: 'none', Id: 'n', Driver: 'null' }] },
      'not-applicable',
    ),
    hostCase('--icc=false passes', { icc: ['false'] }, undefined, 'pass', ['--icc=false']),
    hostCase('"icc": false passes', {}, { icc: false }, 'pass', ['"icc": false']),
    hostCase('default fails', {}, {}, 'fail', ['--icc not set']),
    hostCase('"bridge": "none" is not applicable', {}, { bridge: 'none' }, 'not-applicable'),
    {
      name: 'unknown flags skip',
      facts: buildFacts({ host: unknownFlags, engine: null }),
      expect: daemon('skip', undefined, 'dockerd command line unknown'),
    },
  ],
  'BH-D-003': [
    {
      name: 'unknown dockerd skips even when the default daemon.json sets it',
      facts: buildFacts({
        host: {
          ...daemonHost({}, { 'log-level': 'debug' }),
          dockerd: unknown('2 dockerd processes, none matched'),
        },
        engine: null,
      }),
      expect: daemon('skip', undefined, 'may not be the file it reads'),
    },
    hostCase('default passes', {}, {}, 'pass'),
    hostCase('--log-level=debug fails', { 'log-level': ['debug'] }, undefined, 'fail', ['--log-level=debug']),
    hostCase('"log-level": "info" passes', {}, { 'log-level': 'info' }, 'pass'),
  ],
  'BH-D-004': [
    hostCase('default passes', {}, {}, 'pass'),
    hostCase('"iptables": false fails', {}, { iptables: false }, 'fail', ['"iptables": false']),
    hostCase('--iptables=false fails', { iptables: ['false'] }, undefined, 'fail'),
  ],
  'BH-D-005': [
    engineCase(
      'loopback only passes',
      info({
        RegistryConfig: {
          InsecureRegistryCIDRs: ['127.0.0.0/8'],
          IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } },
        },
      }),
      'pass',
    ),
    engineCase(
      'insecure index fails',
      info({
        RegistryConfig: {
          InsecureRegistryCIDRs: ['127.0.0.0/8'],
          IndexConfigs: { 'reg.local:5000': { Name: 'reg.local:5000', Secure: false } },
        },
      }),
      'fail',
      ['reg.local:5000'],
    ),
    engineCase(
      'insecure CIDR fails',
      info({ RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '10.0.0.0/8'] } }),
      'fail',
      ['10.0.0.0/8'],
    ),
    hostCase('daemon.json insecure-registries fails', {}, { 'insecure-registries': ['myreg:5000'] }, 'fail', [
      '"insecure-registries": ["myreg:5000"]',
    ]),
    hostCase('none configured passes', {}, {}, 'pass'),
  ],
  'BH-D-006': [
    engineCase('overlay2 passes', engineFacts(), 'pass', ['/info Driver=overlay2']),
    engineCase('aufs fails', info({ Driver: 'aufs' }), 'fail', ['/info Driver=aufs']),
    hostCase('--storage-driver aufs fails', { 'storage-driver': ['aufs'] }, undefined, 'fail'),
  ],
  'BH-D-007': [
    engineCase('overlay2 passes', engineFacts(), 'pass'),
    engineCase('devicemapper fails', info({ Driver: 'devicemapper' }), 'fail', ['/info Driver=devicemapper']),
  ],
  'BH-D-008': [
    hostCase('unix socket only passes', { host: ['fd://'] }, {}, 'pass'),
    hostCase('tcp without TLS fails', { host: ['fd://', 'tcp://0.0.0.0:2375'] }, {}, 'fail', [
      '--host=tcp://0.0.0.0:2375',
    ]),
    hostCase(
      'tcp on 127.0.0.1 without TLS fails',
      {},
      { hosts: ['unix:///run/docker.sock', 'tcp://127.0.0.1:2375'] },
      'fail',
      ['tcp://127.0.0.1:2375'],
    ),
    hostCase(
      'tcp with --tls but no --tlsverify fails',
      { host: ['tcp://0.0.0.0:2376'], tls: ['true'], tlscacert: ['/ca'], tlscert: ['/c'], tlskey: ['/k'] },
      {},
      'fail',
      ['--tlsverify not set'],
    ),
    hostCase(
      'tcp with tlsverify and files passes',
      {
        host: ['tcp://0.0.0.0:2376'],
        tlsverify: ['true'],
        tlscacert: ['/ca'],
        tlscert: ['/c'],
        tlskey: ['/k'],
      },
      {},
      'pass',
    ),
  ],
  'BH-D-009': [
    hostCase('none fails', {}, {}, 'fail'),
    hostCase(
      'daemon.json default-ulimits passes',
      {},
      { 'default-ulimits': { nofile: { Name: 'nofile', Hard: 64000, Soft: 64000 } } },
      'pass',
    ),
  ],
  'BH-D-010': [
    engineCase('no userns fails', engineFacts(), 'fail'),
    engineCase(
      'userns passes',
      engineFacts({ security: ['name=seccomp,profile=default', 'name=userns'] }),
      'pass',
    ),
    hostCase(
      'daemon.json userns-remap passes without the engine',
      {},
      { 'userns-remap': 'default' },
      'pass',
      ['"userns-remap": "default"'],
    ),
  ],
  'BH-D-011': [
    hostCase('default passes', {}, {}, 'pass'),
    hostCase('custom fails', { 'cgroup-parent': ['/foo'] }, undefined, 'fail', ['--cgroup-parent=/foo']),
  ],
  'BH-D-012': [
    hostCase('default passes', {}, {}, 'pass'),
    hostCase('dm.basesize fails', {}, { 'storage-opts': ['dm.basesize=50G'] }, 'fail', ['dm.basesize=50G']),
  ],
  'BH-D-013': [
    engineCase('no plugin fails', engineFacts(), 'fail'),
    engineCase('plugin passes', info({ Plugins: { Authorization: ['bulkhead'] } }), 'pass', [
      '/info Plugins.Authorization=["bulkhead"]',
    ]),
    hostCase('daemon.json plugin passes', {}, { 'authorization-plugins': ['bulkhead'] }, 'pass'),
  ],
  'BH-D-014': [
    engineCase('json-file fails', engineFacts(), 'fail', ['/info LoggingDriver=json-file']),
    engineCase('syslog passes', info({ LoggingDriver: 'syslog' }), 'pass'),
  ],
  'BH-D-015': [
    hostCase('default fails', {}, {}, 'fail'),
    hostCase('"no-new-privileges": true passes', {}, { 'no-new-privileges': true }, 'pass'),
    hostCase('--no-new-privileges passes', { 'no-new-privileges': ['true'] }, undefined, 'pass'),
  ],
  'BH-D-016': [
    engineCase('off fails', engineFacts(), 'fail', ['/info LiveRestoreEnabled=false']),
    engineCase('on passes', info({ LiveRestoreEnabled: true }), 'pass'),
    engineCase('swarm is not applicable', info({ Swarm: { LocalNodeState: 'active' } }), 'not-applicable'),
  ],
  'BH-D-017': [
    hostCase('default fails', {}, {}, 'fail'),
    hostCase('"userland-proxy": false passes', {}, { 'userland-proxy': false }, 'pass'),
    hostCase('--userland-proxy=false passes', { 'userland-proxy': ['false'] }, undefined, 'pass'),
  ],
  'BH-D-018': [
    engineCase('default profile passes', engineFacts(), 'pass'),
    engineCase('unconfined fails', engineFacts({ security: ['name=seccomp,profile=unconfined'] }), 'fail'),
    engineCase('no seccomp fails', engineFacts({ security: ['name=apparmor'] }), 'fail'),
  ],
  'BH-D-019': [
    engineCase('off passes', engineFacts(), 'pass'),
    engineCase(
      'on fails',
      { ...engineFacts(), version: { ...engineFacts().version, Experimental: true } },
      'fail',
    ),
  ],
  'BH-D-020': [
    engineCase('inactive passes', engineFacts(), 'pass'),
    engineCase('active fails', info({ Swarm: { LocalNodeState: 'active' } }), 'fail'),
  ],
  'BH-D-021': [
    engineCase('runc only fails', engineFacts(), 'fail'),
    engineCase(
      'runsc passes',
      info({ Runtimes: { runc: { path: 'runc' }, runsc: { path: '/usr/bin/runsc' } } }),
      'pass',
    ),
  ],
  'BH-D-022': [
    engineCase(
      'Docker 28.5.2 with an authorization plugin fails (CVE-2026-34040)',
      { ...info({ Plugins: { Authorization: ['bulkhead'] } }) },
      'fail',
    ),
    engineCase('current versions pass', engineFacts(), 'pass'),
    engineCase(
      'runc 1.1.11 fails with CVE-2024-21626',
      {
        ...engineFacts(),
        version: { Version: '24.0.7', ApiVersion: '1.43', Components: [{ Name: 'runc', Version: '1.1.11' }] },
      },
      'fail',
    ),
    engineCase(
      'runc 1.0.0-rc6 fails',
      {
        ...engineFacts(),
        version: {
          Version: '18.09.1',
          ApiVersion: '1.39',
          Components: [{ Name: 'runc', Version: '1.0.0-rc6' }],
        },
      },
      'fail',
    ),
    engineCase(
      'Debian build 1.1.5+ds1 is undecided (skip)',
      {
        ...engineFacts(),
        version: {
          Version: '20.10.24+dfsg1',
          ApiVersion: '1.41',
          Components: [{ Name: 'runc', Version: '1.1.5+ds1' }],
        },
      },
      'skip',
    ),
    engineCase(
      'runc 1.3.3 passes',
      {
        ...engineFacts(),
        version: {
          Version: '28.5.2',
          ApiVersion: '1.51',
          Components: [
            { Name: 'runc', Version: '1.3.3' },
            { Name: 'containerd', Version: '1.7.29' },
          ],
        },
      },
      'pass',
    ),
  ],
};
