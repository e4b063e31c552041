// Shared inputs of the case tables for the host rules (BH-H-*) and the file rules (BH-F-*, modes as bit masks).
import {
  known,
  type FileStat,
  type HostFacts,
  type KernelVulnerabilities,
  type Known,
} from '../../facts/index.js';
import { buildFacts, hostFacts } from './facts.js';
import { type AuditExpect, type AuditCase } from '../rule.js';

export const on = (
  name: string,
  host: HostFacts,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
  target = 'host',
): AuditCase => ({
  name,
  facts: buildFacts({ host, engine: null }),
  expect: [{ target, outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
export const kernelResult = (
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
export const kv = (
  name: string,
  fact: Known<KernelVulnerabilities>,
  outcome: AuditExpect['outcome'],
  evidence?: string[],
): AuditCase => ({
  name,
  facts: { ...buildFacts({ host: hostFacts(), engine: null }), kernelVulnerabilities: fact },
  expect: [{ target: 'host', outcome, ...(evidence === undefined ? {} : { evidence }) }],
});
export const kernel = (k: Partial<HostFacts['kernel']>): HostFacts => {
  const h = hostFacts();
  return { ...h, kernel: { ...h.kernel, ...k } };
};
export const file = (
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
export const files = (...list: FileStat[]): HostFacts => hostFacts({ files: list });
export const pkgs = (list: { name: string; version: string }[], codename = 'bookworm'): HostFacts =>
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

export const SOCK = 'docker socket in use';
