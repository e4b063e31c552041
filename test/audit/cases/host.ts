// Case tables for the host rules (BH-H-*) and the file rules (BH-F-*, modes as bit masks).
import {
  known,
  unknown,
  type FileStat,
  type HostFacts,
  type KernelVulnerabilities,
  type Known,
} from '../../../src/facts/index.js';
import { buildFacts, daemonHost, hostFacts } from '../facts-builder.js';
import type { CaseTable, Expect, RuleCase } from './types.js';

const on = (
  name: string,
  host: HostFacts,
  outcome: Expect['outcome'],
  evidence?: string[],
  target = 'host',
): RuleCase => ({
  name,
  facts: buildFacts({ host, engine: null }),
  expect: [{ target, outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
const kernelResult = (
  missing: KernelVulnerabilities['missing'],
  livePatched: KernelVulnerabilities['livePatched'] = [],
): KernelVulnerabilities => ({
  kernel: 'Debian 11 (bullseye) linux 5.10.162-1',
  ecosystem: 'debian:bullseye',
  package: 'linux',
  runningVersion: '5.10.162-1',
  versionSource: '/proc/version',
  missing,
  livePatched,
});
const kv = (
  name: string,
  fact: Known<KernelVulnerabilities>,
  outcome: Expect['outcome'],
  evidence?: string[],
): RuleCase => ({
  name,
  facts: { ...buildFacts({ host: hostFacts(), engine: null }), kernelVulnerabilities: fact },
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
const kernel = (k: Partial<HostFacts['kernel']>): HostFacts => {
  const h = hostFacts();
  return { ...h, kernel: { ...h.kernel, ...k } };
};
const file = (
  path: string,
  role: string,
  mode: number,
  owner = 'root',
  group = 'root',
  gid = 0,
): FileStat => ({
  path,
  role,
  exists: true,
  type: role.includes('socket') && !role.includes('unit') ? 'socket' : 'file',
  mode,
  modeOctal: mode.toString(8).padStart(4, '0'),
  uid: owner === 'root' ? 0 : 1000,
  gid,
  owner,
  group,
});
const files = (...list: FileStat[]): HostFacts => hostFacts({ files: list });
const pkgs = (list: { name: string; version: string }[], codename = 'bookworm'): HostFacts =>
  hostFacts({
    dockerPackages: known(
      list.map((p) => ({ ...p, source: '/var/lib/dpkg/status' })),
      '/var/lib/dpkg/status',
    ),
    os: known(
      {
        id: 'debian',
        versionId: codename === 'bookworm' ? '12' : '11',
        versionCodename: codename,
        idLike: [],
      },
      '/etc/os-release',
    ),
  });

export const hostCases: CaseTable = {
  'BH-H-001': [
    on('running the only kernel passes', hostFacts(), 'pass'),
    on(
      'newer kernel package installed fails',
      kernel({
        installed: known(
          [
            { name: 'linux-image-6.1.0-18-amd64', version: '6.1.76-1', release: '6.1.0-18-amd64' },
            { name: 'linux-image-6.1.0-21-amd64', version: '6.1.90-1', release: '6.1.0-21-amd64' },
          ],
          '/var/lib/dpkg/status',
        ),
      }),
      'fail',
      ['linux-image-6.1.0-21-amd64=6.1.90-1'],
    ),
    on(
      'older kernel still installed passes',
      kernel({
        installed: known(
          [
            { name: 'linux-image-6.1.0-10-amd64', release: '6.1.0-10-amd64' },
            { name: 'linux-image-6.1.0-18-amd64', release: '6.1.0-18-amd64' },
          ],
          '/boot',
        ),
      }),
      'pass',
    ),
    on(
      'other flavour ignored',
      kernel({
        installed: known(
          [
            { name: 'linux-image-6.1.0-21-cloud-amd64', release: '6.1.0-21-cloud-amd64' },
            { name: 'x', release: '6.1.0-18-amd64' },
          ],
          '/boot',
        ),
      }),
      'pass',
    ),
    on(
      'reboot-required marker fails',
      kernel({
        rebootRequired: known(
          { required: true, packages: ['linux-image-6.1.0-21-amd64'] },
          '/run/reboot-required',
        ),
      }),
      'fail',
      ['/run/reboot-required=present'],
    ),
    on('unknown release skips', kernel({ release: unknown('no /proc under the root') }), 'skip'),
  ],
  'BH-H-002': [
    on('no patch fails', hostFacts(), 'fail'),
    on(
      'enabled patch passes',
      kernel({
        livepatch: known({ patches: [{ name: 'lp_6_1_0_18', enabled: true }] }, '/sys/kernel/livepatch'),
      }),
      'pass',
      ['lp_6_1_0_18'],
    ),
    on('unknown skips', kernel({ livepatch: unknown('no /sys') }), 'skip'),
  ],
  'BH-H-041': [
    kv('no database: skip with the reason', unknown('no vulnerability database given'), 'skip'),
    kv(
      'custom kernel: skip',
      unknown('the running kernel 6.18.44-fc-v657 carries no Debian package version'),
      'skip',
    ),
    kv(
      'nothing missing passes',
      known(
        kernelResult(
          [],
          [
            {
              cve: 'CVE-2022-2873',
              advisory: 'DSA-5324-1',
              source: '/sys/kernel/livepatch/kpatch_cve_2022_2873',
            },
          ],
        ),
        'x',
      ),
      'pass',
      ['/proc/version=5.10.162-1'],
    ),
    kv(
      'missing fixes fail, after-reboot and not-installed told apart',
      known(
        kernelResult([
          {
            cve: 'CVE-2023-0179',
            advisory: 'DSA-5324-1',
            fixedVersion: '5.10.162-1',
            severity: 'high',
            state: 'fixed-after-reboot',
            installedFix: 'linux-image-5.10.0-21-amd64 5.10.162-1',
          },
          {
            cve: 'CVE-2023-1234',
            advisory: 'DSA-5400-1',
            fixedVersion: '5.10.179-1',
            severity: 'high',
            state: 'not-installed',
          },
        ]),
        'x',
      ),
      'fail',
      ['/proc/version=5.10.162-1', 'DSA-5324-1=CVE-2023-0179', 'DSA-5400-1=CVE-2023-1234'],
    ),
  ],
  'BH-H-003': [
    on('AppArmor passes', hostFacts(), 'pass'),
    on(
      'SELinux permissive fails',
      hostFacts({
        lsm: {
          active: known(['selinux'], 'lsm'),
          apparmor: known({ enabled: false }, 'aa'),
          selinux: known({ mode: 'permissive' }, '/sys/fs/selinux/enforce'),
        },
      }),
      'fail',
      ['/sys/fs/selinux/enforce=permissive'],
    ),
    on(
      'none fails',
      hostFacts({
        lsm: {
          active: known(['capability', 'yama'], '/sys/kernel/security/lsm'),
          apparmor: known({ enabled: false }, 'aa'),
          selinux: known({ mode: 'disabled' }, 'se'),
        },
      }),
      'fail',
      ['capability,yama'],
    ),
  ],
  'BH-H-004': [
    on('clean passes', hostFacts(), 'pass'),
    on(
      'dccp loaded fails',
      kernel({ modules: known(['overlay', 'dccp', 'sctp'], '/proc/modules') }),
      'fail',
      ['/proc/modules=["dccp","sctp"]'],
    ),
  ],
  'BH-H-005': [
    on('no packages is not applicable', hostFacts(), 'not-applicable'),
    on(
      'Debian 12 runc 1.1.5+ds1-1+deb12u1: CVE-2024-21626 fixed, 2025 CVEs undecided (skip)',
      pkgs([{ name: 'runc', version: '1.1.5+ds1-1+deb12u1' }]),
      'skip',
    ),
    on('Debian 12 runc before the fix fails', pkgs([{ name: 'runc', version: '1.1.5+ds1-1' }]), 'fail', [
      'runc=1.1.5+ds1-1',
    ]),
    on('containerd.io 1.6.20 passes', pkgs([{ name: 'containerd.io', version: '1.6.20-1' }]), 'pass'),
    on('upstream runc 1.1.11 fails', pkgs([{ name: 'runc', version: '1.1.11-1' }], 'trixie'), 'fail'),
    on('upstream runc 1.3.3 passes', pkgs([{ name: 'runc', version: '1.3.3-1' }], 'trixie'), 'pass'),
  ],
  'BH-H-006': [
    on('no members passes', hostFacts(), 'pass'),
    on(
      'members fail',
      hostFacts({ dockerGroup: known({ gid: 998, members: ['alice', 'bob'] }, '/etc/group') }),
      'fail',
      ['["alice","bob"]'],
    ),
  ],
  'BH-H-007': [
    on('own filesystem passes', hostFacts(), 'pass'),
    on(
      'root filesystem fails',
      hostFacts({
        dataRootMount: known(
          { dataRoot: '/var/lib/docker', mountPoint: '/', fsType: 'ext4', device: '8:1' },
          '/proc/self/mountinfo',
        ),
      }),
      'fail',
      ['/ (ext4, device 8:1)'],
    ),
  ],
  'BH-H-008': [
    on('available passes', hostFacts(), 'pass'),
    on(
      'absent fails',
      kernel({ seccomp: known({ available: false, actions: [] }, '/proc/sys/kernel/seccomp') }),
      'fail',
    ),
  ],
};

const SOCK = 'docker socket in use';
export const fileCases: CaseTable = {
  'BH-F-001': [
    on(
      '0644 root passes',
      files(file('/lib/systemd/system/docker.service', 'docker.service unit file', 0o644)),
      'pass',
      [],
      'daemon',
    ),
    on(
      '0664 fails',
      files(file('/lib/systemd/system/docker.service', 'docker.service unit file', 0o664)),
      'fail',
      ['mode=0664'],
      'daemon',
    ),
    on(
      'absent is not applicable',
      files({ path: '/lib/systemd/system/docker.service', role: 'docker.service unit file', exists: false }),
      'not-applicable',
      [],
      'daemon',
    ),
  ],
  'BH-F-002': [
    on(
      '0644 passes',
      files(file('/lib/systemd/system/docker.socket', 'docker.socket unit file', 0o644)),
      'pass',
      [],
      'daemon',
    ),
    on(
      'owned by a user fails',
      files(
        file('/lib/systemd/system/docker.socket', 'docker.socket unit file', 0o644, 'alice', 'alice', 1000),
      ),
      'fail',
      ['owner=alice:alice'],
      'daemon',
    ),
  ],
  'BH-F-003': [
    on('0755 passes', files(file('/etc/docker', 'docker config directory', 0o755)), 'pass', [], 'daemon'),
    on('0775 fails', files(file('/etc/docker', 'docker config directory', 0o775)), 'fail', [], 'daemon'),
  ],
  'BH-F-004': [
    on('none is not applicable', hostFacts(), 'not-applicable', [], 'daemon'),
    on(
      '0444 ca passes',
      files(file('/etc/docker/certs.d/r:5000/ca.crt', 'registry certificate', 0o444)),
      'pass',
      [],
      'daemon',
    ),
    on(
      '0444 client key fails (keys need 0400)',
      files(file('/etc/docker/certs.d/r:5000/client.key', 'registry certificate', 0o444)),
      'fail',
      ['client.key mode=0444'],
      'daemon',
    ),
  ],
  'BH-F-005': [
    on('not configured is not applicable', hostFacts(), 'not-applicable', [], 'daemon'),
    on('0644 fails', files(file('/etc/docker/ca.pem', 'tlscacert', 0o644)), 'fail', [], 'daemon'),
    on('0444 passes', files(file('/etc/docker/ca.pem', 'tlscacert', 0o444)), 'pass', [], 'daemon'),
  ],
  'BH-F-006': [
    on('0444 passes', files(file('/etc/docker/cert.pem', 'tlscert', 0o444)), 'pass', [], 'daemon'),
    on('0666 fails', files(file('/etc/docker/cert.pem', 'tlscert', 0o666)), 'fail', [], 'daemon'),
  ],
  'BH-F-007': [
    on('0400 passes', files(file('/etc/docker/key.pem', 'tlskey', 0o400)), 'pass', [], 'daemon'),
    on(
      '0440 fails',
      files(file('/etc/docker/key.pem', 'tlskey', 0o440)),
      'fail',
      ['key.pem mode=0440'],
      'daemon',
    ),
  ],
  'BH-F-008': [
    on(
      '0660 root:docker passes',
      files(file('/run/docker.sock', SOCK, 0o660, 'root', 'docker', 998)),
      'pass',
      ['owner=root:docker'],
      'daemon',
    ),
    on(
      '0666 fails (world-accessible)',
      files(file('/run/docker.sock', SOCK, 0o666, 'root', 'docker', 998)),
      'fail',
      ['/run/docker.sock mode=0666'],
      'daemon',
    ),
    on(
      '0606 fails (world-accessible; 606 < 660 as decimals)',
      files(file('/run/docker.sock', SOCK, 0o606, 'root', 'docker', 998)),
      'fail',
      ['mode=0606'],
      'daemon',
    ),
    on('0600 passes', files(file('/run/docker.sock', SOCK, 0o600)), 'pass', [], 'daemon'),
    on(
      'group staff fails',
      files(file('/run/docker.sock', SOCK, 0o660, 'root', 'staff', 50)),
      'fail',
      ['owner=root:staff'],
      'daemon',
    ),
    {
      name: 'configured --group passes',
      facts: buildFacts({
        engine: null,
        host: {
          ...daemonHost({ group: ['ops'] }),
          files: [file('/run/docker.sock', SOCK, 0o660, 'root', 'ops', 60)],
        },
      }),
      expect: [{ target: 'daemon', outcome: 'pass' }],
    },
    on(
      'unreadable skips',
      files({ path: '/run/docker.sock', role: SOCK, exists: false, error: 'EACCES' }),
      'skip',
      [],
      'daemon',
    ),
    on('not collected at all skips (host facts incomplete)', hostFacts(), 'skip', [], 'daemon'),
  ],
  'BH-F-009': [
    on('0644 passes', files(file('/etc/docker/daemon.json', 'daemon.json', 0o644)), 'pass', [], 'daemon'),
    on(
      '0646 fails',
      files(file('/etc/docker/daemon.json', 'daemon.json', 0o646)),
      'fail',
      ['mode=0646'],
      'daemon',
    ),
  ],
  'BH-F-010': [
    on(
      '0644 passes',
      files(file('/etc/default/docker', 'docker environment file', 0o644)),
      'pass',
      [],
      'daemon',
    ),
    on(
      '0666 fails',
      files(file('/etc/default/docker', 'docker environment file', 0o666)),
      'fail',
      [],
      'daemon',
    ),
  ],
  'BH-F-011': [
    on(
      'absent is not applicable',
      files({ path: '/etc/sysconfig/docker', role: 'docker environment file', exists: false }),
      'not-applicable',
      [],
      'daemon',
    ),
    on(
      '0660 fails',
      files(file('/etc/sysconfig/docker', 'docker environment file', 0o660)),
      'fail',
      [],
      'daemon',
    ),
  ],
  'BH-F-012': [
    on(
      '0660 root passes',
      files(file('/run/containerd/containerd.sock', 'containerd socket', 0o660)),
      'pass',
      [],
      'daemon',
    ),
    on(
      '0666 fails',
      files(file('/run/containerd/containerd.sock', 'containerd socket', 0o666)),
      'fail',
      [],
      'daemon',
    ),
  ],
};
