// Case tables for the container rules (BH-C-*): each rule has at least one failing and one passing case.
import {
  buildFacts,
  container,
  daemonHost,
  engineFacts,
  hardenedContainer,
  hostFacts,
} from '../facts-builder.js';
import type { CaseTable, RuleCase } from './types.js';

const one = (
  name: string,
  c: ReturnType<typeof container>,
  outcome: RuleCase['expect'][number]['outcome'],
  evidence?: string[],
  extra: Parameters<typeof buildFacts>[0] = {},
): RuleCase => ({
  name,
  facts: buildFacts({ ...extra, containers: [c] }),
  expect: [{ target: c.Name.slice(1), outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

const privileged = container('priv', { Privileged: true, Runtime: 'runsc' });
const noAppArmor = engineFacts({ security: ['name=seccomp,profile=default'] });
const selinuxEngine = engineFacts({ security: ['name=selinux', 'name=seccomp,profile=default'] });
const selinuxHost = hostFacts({
  lsm: {
    active: { state: 'known', value: ['selinux'], source: 'lsm' },
    apparmor: { state: 'known', value: { enabled: false }, source: 'x' },
    selinux: { state: 'known', value: { mode: 'enforcing' }, source: '/sys/fs/selinux/enforce' },
  },
});

export const containerCases: CaseTable = {
  'BH-C-001': [
    one('docker-default profile passes', container('web'), 'pass', ['AppArmorProfile=docker-default']),
    one(
      'unconfined profile fails',
      container('web', { SecurityOpt: ['apparmor=unconfined'] }, { AppArmorProfile: 'unconfined' }),
      'fail',
      ['AppArmorProfile=unconfined'],
    ),
    one('empty profile fails', container('web', {}, { AppArmorProfile: '' }), 'fail', [
      'AppArmorProfile=(empty)',
    ]),
    one('privileged fails even with a profile name', privileged, 'fail', ['HostConfig.Privileged=true']),
    one(
      'host without AppArmor is not applicable',
      container('web', {}, { AppArmorProfile: '' }),
      'not-applicable',
      ['/info SecurityOptions'],
      { engine: noAppArmor },
    ),
  ],
  'BH-C-002': [
    one('no SELinux anywhere is not applicable', container('web'), 'not-applicable'),
    one(
      'label=disable fails',
      container('web', { SecurityOpt: ['label=disable'] }, { ProcessLabel: 'system_u:system_r:spc_t:s0' }),
      'fail',
      ['HostConfig.SecurityOpt=["label=disable"]'],
      { engine: selinuxEngine, host: selinuxHost },
    ),
    one(
      'label:disable (legacy form) fails',
      container('web', { SecurityOpt: ['label:disable'] }),
      'fail',
      ['label:disable'],
      { engine: selinuxEngine, host: selinuxHost },
    ),
    one(
      'labelled container passes',
      container('web', {}, { ProcessLabel: 'system_u:system_r:container_t:s0:c1,c2' }),
      'pass',
      ['ProcessLabel=system_u'],
      { engine: selinuxEngine, host: selinuxHost },
    ),
    one(
      'SELinux host, daemon without --selinux-enabled fails',
      container('web'),
      'fail',
      ['/info SecurityOptions'],
      { host: selinuxHost },
    ),
    one(
      'privileged fails',
      container('web', { Privileged: true }, { ProcessLabel: 'x' }),
      'fail',
      ['HostConfig.Privileged=true'],
      { engine: selinuxEngine, host: selinuxHost },
    ),
  ],
  'BH-C-003': [
    one('default capabilities pass', container('web'), 'pass'),
    one('cap-drop ALL passes', container('web', { CapDrop: ['ALL'] }), 'pass', [
      'HostConfig.CapDrop=["ALL"]',
    ]),
    one('NET_BIND_SERVICE passes', container('web', { CapAdd: ['NET_BIND_SERVICE'] }), 'pass'),
    one('SYS_ADMIN fails', container('web', { CapAdd: ['SYS_ADMIN'] }), 'fail', [
      'HostConfig.CapAdd=["SYS_ADMIN"]',
    ]),
    one(
      'cap_sys_module (lower case, prefixed) fails',
      container('web', { CapAdd: ['cap_sys_module'] }),
      'fail',
      ['cap_sys_module'],
    ),
    one('ALL fails', container('web', { CapAdd: ['ALL'] }), 'fail'),
    one('privileged implies every capability', privileged, 'fail', ['HostConfig.Privileged=true']),
  ],
  'BH-C-004': [
    one('unprivileged passes', container('web'), 'pass', ['HostConfig.Privileged=false']),
    one('privileged under runsc still fails', privileged, 'fail', [
      'HostConfig.Privileged=true',
      'HostConfig.Runtime=runsc',
    ]),
    {
      name: 'engine down skips',
      facts: buildFacts({ engine: null }),
      expect: [{ target: 'daemon', outcome: 'skip', message: 'engine not reached' }],
    },
    {
      name: 'no containers is not applicable',
      facts: buildFacts({ containers: [] }),
      expect: [{ target: 'daemon', outcome: 'not-applicable' }],
    },
  ],
  'BH-C-005': [
    one(
      'volume and /etc/localtime pass',
      container(
        'web',
        {},
        {
          Mounts: [
            { Type: 'bind', Source: '/etc/localtime', Destination: '/etc/localtime', RW: false },
            { Type: 'volume', Source: '/var/lib/docker/volumes/x/_data', Destination: '/data', RW: true },
          ],
        },
      ),
      'pass',
    ),
    one(
      '/etc mounted read-only fails',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/etc', Destination: '/host-etc', RW: false }] },
      ),
      'fail',
      ['Mounts[0].Source=/etc', 'Mounts[0].RW=false'],
    ),
    one(
      '/ fails',
      container('web', {}, { Mounts: [{ Type: 'bind', Source: '/', Destination: '/host', RW: true }] }),
      'fail',
      ['Mounts[0].Source=/'],
    ),
    one(
      '/var (holds the data root) fails',
      container('web', {}, { Mounts: [{ Type: 'bind', Source: '/var', Destination: '/v', RW: true }] }),
      'fail',
      ['Mounts[0].Source=/var'],
    ),
    one(
      '/etc/shadow fails',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/etc/shadow', Destination: '/s', RW: false }] },
      ),
      'fail',
    ),
    one(
      '/proc/sys fails',
      container('web', {}, { Mounts: [{ Type: 'bind', Source: '/proc/sys', Destination: '/p', RW: true }] }),
      'fail',
    ),
  ],
  'BH-C-006': [
    one('sleep passes', container('web'), 'pass'),
    one('/usr/sbin/sshd -D fails', container('web', {}, { Path: '/usr/sbin/sshd', Args: ['-D'] }), 'fail', [
      'Path + Args=["/usr/sbin/sshd","-D"]',
    ]),
    one('sh -c "sshd -D" fails', container('web', {}, { Path: '/bin/sh', Args: ['-c', 'sshd -D'] }), 'fail'),
  ],
  'BH-C-007': [
    one('no ports passes', container('web'), 'pass'),
    one(
      '8080 passes',
      container('web', { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } }),
      'pass',
    ),
    one(
      'host port 80 fails',
      container('web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }] } }),
      'fail',
      ['HostPort=80'],
    ),
  ],
  'BH-C-008': [
    one('none passes', container('web'), 'pass'),
    one('host fails', container('web', { NetworkMode: 'host' }), 'fail', ['HostConfig.NetworkMode=host']),
  ],
  'BH-C-009': [
    one('no limit fails', container('web'), 'fail', ['HostConfig.Memory=0']),
    one('64 MiB passes', container('web', { Memory: 67108864 }), 'pass', ['HostConfig.Memory=67108864']),
  ],
  'BH-C-010': [
    one('no limit fails', container('web'), 'fail'),
    one('default shares 1024 fail', container('web', { CpuShares: 1024 }), 'fail'),
    one('--cpus passes', container('web', { NanoCpus: 500000000 }), 'pass', [
      'HostConfig.NanoCpus=500000000',
    ]),
    one('cpuset passes', container('web', { CpusetCpus: '0' }), 'pass'),
  ],
  'BH-C-011': [
    one('writable fails', container('web'), 'fail', ['HostConfig.ReadonlyRootfs=false']),
    one('read-only passes', container('web', { ReadonlyRootfs: true }), 'pass'),
  ],
  'BH-C-012': [
    one('no ports passes', container('web'), 'pass'),
    one(
      '0.0.0.0 fails',
      container('web', { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } }),
      'fail',
      ['HostIp=0.0.0.0'],
    ),
    one(
      'empty host ip fails',
      container('web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }),
      'fail',
      ['all interfaces'],
    ),
    one(
      '127.0.0.1 passes',
      container('web', { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } }),
      'pass',
    ),
  ],
  'BH-C-013': [
    one('no policy passes', container('web'), 'pass'),
    one(
      'always fails',
      container('web', { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }),
      'fail',
      ['HostConfig.RestartPolicy.Name=always'],
    ),
    one(
      'unless-stopped fails',
      container('web', { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } }),
      'fail',
    ),
    one(
      'on-failure:5 passes',
      container('web', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 } }),
      'pass',
    ),
    one(
      'on-failure:10 fails',
      container('web', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 10 } }),
      'fail',
      ['MaximumRetryCount=10'],
    ),
  ],
  'BH-C-014': [
    one('private passes', container('web'), 'pass'),
    one('pid host fails', container('web', { PidMode: 'host' }), 'fail', ['HostConfig.PidMode=host']),
  ],
  'BH-C-015': [
    one('private passes', container('web'), 'pass'),
    one('ipc host fails', container('web', { IpcMode: 'host' }), 'fail', ['HostConfig.IpcMode=host']),
  ],
  'BH-C-016': [
    one('no devices pass', container('web'), 'pass'),
    one(
      '/dev/sda fails',
      container('web', {
        Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }],
      }),
      'fail',
      ['HostConfig.Devices=["/dev/sda:/dev/sda:rwm"]'],
    ),
    one('privileged implies all devices', privileged, 'fail', ['HostConfig.Privileged=true']),
  ],
  'BH-C-017': [
    one(
      'private passes',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/srv', Destination: '/srv', Propagation: 'rprivate' }] },
      ),
      'pass',
    ),
    one(
      'rshared fails',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/srv', Destination: '/srv', Propagation: 'rshared' }] },
      ),
      'fail',
      ['Mounts[0].Propagation=rshared'],
    ),
  ],
  'BH-C-018': [
    one('private passes', container('web'), 'pass'),
    one('uts host fails', container('web', { UTSMode: 'host' }), 'fail', ['HostConfig.UTSMode=host']),
  ],
  'BH-C-019': [
    one('default profile passes', container('web'), 'pass'),
    one('seccomp=unconfined fails', container('web', { SecurityOpt: ['seccomp=unconfined'] }), 'fail', [
      'seccomp=unconfined',
    ]),
    one(
      'seccomp:unconfined (legacy) fails',
      container('web', { SecurityOpt: ['seccomp:unconfined'] }),
      'fail',
    ),
    one('privileged implies unconfined', privileged, 'fail', ['HostConfig.Privileged=true']),
    one('daemon without seccomp fails', container('web'), 'fail', ['/info SecurityOptions'], {
      engine: engineFacts({ security: ['name=apparmor'] }),
    }),
  ],
  'BH-C-020': [
    one('default passes', container('web'), 'pass'),
    one('custom parent fails', container('web', { CgroupParent: '/custom' }), 'fail', [
      'HostConfig.CgroupParent=/custom',
    ]),
  ],
  'BH-C-021': [
    one('unset with an unknown daemon command line skips', container('web'), 'skip', [], {
      host: hostFacts({ dockerd: { state: 'unknown', reason: 'no dockerd under the root' } }),
    }),
    one('unset fails', container('web'), 'fail'),
    one('no-new-privileges passes', container('web', { SecurityOpt: ['no-new-privileges'] }), 'pass'),
    one(
      'no-new-privileges:true passes',
      container('web', { SecurityOpt: ['no-new-privileges:true'] }),
      'pass',
    ),
    one(
      'no-new-privileges=false fails',
      container('web', { SecurityOpt: ['no-new-privileges=false'] }),
      'fail',
    ),
    one('daemon default passes', container('web'), 'pass', ['"no-new-privileges": true'], {
      host: daemonHost({}, { 'no-new-privileges': true }),
    }),
  ],
  'BH-C-022': [
    one('no healthcheck fails', container('web'), 'fail'),
    one('NONE fails', container('web', {}, { Config: { Healthcheck: { Test: ['NONE'] } } }), 'fail'),
    one('healthcheck passes', hardenedContainer('web'), 'pass', ['Config.Healthcheck.Test=["CMD","true"]']),
  ],
  'BH-C-023': [
    one('unset fails', container('web'), 'fail', ['HostConfig.PidsLimit=(unset)']),
    one('-1 fails', container('web', { PidsLimit: -1 }), 'fail'),
    one('64 passes', container('web', { PidsLimit: 64 }), 'pass'),
  ],
  'BH-C-024': [
    one('none passes', container('web'), 'pass'),
    one(
      'bridge fails',
      container(
        'web',
        { NetworkMode: 'default' },
        { NetworkSettings: { Networks: { bridge: { NetworkID: '2d5f0c1e9a7b' } } } },
      ),
      'fail',
      ['NetworkSettings.Networks=["bridge"]'],
    ),
    one(
      'bridge with an empty NetworkID (a daemon with "bridge": "none") passes',
      container(
        'web',
        { NetworkMode: 'default' },
        { NetworkSettings: { Networks: { bridge: { NetworkID: '' } } } },
      ),
      'pass',
      ['NetworkSettings.Networks.bridge.NetworkID='],
    ),
  ],
  'BH-C-025': [
    one('default passes', container('web'), 'pass'),
    one('userns host fails', container('web', { UsernsMode: 'host' }), 'fail', [
      'HostConfig.UsernsMode=host',
    ]),
  ],
  'BH-C-026': [
    one('no mounts pass', container('web'), 'pass'),
    one(
      '/var/run/docker.sock fails',
      container(
        'web',
        {},
        {
          Mounts: [
            { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true },
          ],
        },
      ),
      'fail',
      ['Mounts[0].Source=/var/run/docker.sock'],
    ),
    one(
      'daemon socket under another name fails',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/srv/api/engine.sock', Destination: '/tmp/x.sock', RW: true }] },
      ),
      'fail',
      ['Mounts[0].Source=/srv/api/engine.sock', 'Mounts[0].Destination=/tmp/x.sock'],
      { host: daemonHost({ host: ['unix:///srv/api/engine.sock'] }) },
    ),
    one(
      '/run (holds the socket) fails',
      container(
        'web',
        {},
        { Mounts: [{ Type: 'bind', Source: '/run', Destination: '/hostrun', RW: false }] },
      ),
      'fail',
      ['Mounts[0].Source=/run'],
    ),
    one(
      'containerd socket fails',
      container(
        'web',
        {},
        {
          Mounts: [
            { Type: 'bind', Source: '/run/containerd/containerd.sock', Destination: '/c.sock', RW: true },
          ],
        },
      ),
      'fail',
    ),
  ],
  'BH-C-027': [
    one('root fails', container('web'), 'fail', ['Config.User=(empty: root)']),
    one('0:0 fails', container('web', {}, { Config: { User: '0:0' } }), 'fail'),
    // runc parses the uid with strconv.Atoi (src/shared/user.ts): a sign or leading zeros are still uid 0
    one('+0 fails', container('web', {}, { Config: { User: '+0' } }), 'fail'),
    one('00:00 fails', container('web', {}, { Config: { User: '00:00' } }), 'fail'),
    one(
      'ROOT passes (no such user: names are case-sensitive)',
      container('web', {}, { Config: { User: 'ROOT' } }),
      'pass',
    ),
    one('1000 passes', container('web', {}, { Config: { User: '1000' } }), 'pass'),
    one('root under userns-remap passes', container('web'), 'pass', [], {
      engine: engineFacts({ security: ['name=apparmor', 'name=seccomp,profile=default', 'name=userns'] }),
    }),
  ],
  'BH-C-028': [
    one('plain container passes', container('web'), 'pass'),
    one('privileged under runsc passes', privileged, 'pass', ['HostConfig.Runtime=runsc']),
    one('SYS_ADMIN under runc fails', container('web', { CapAdd: ['SYS_ADMIN'] }), 'fail', [
      'HostConfig.Runtime=runc',
    ]),
    one(
      'socket mounted under runsc still fails',
      container(
        'web',
        { Runtime: 'runsc' },
        { Mounts: [{ Type: 'bind', Source: '/run/docker.sock', Destination: '/d.sock', RW: true }] },
      ),
      'fail',
    ),
  ],
};
