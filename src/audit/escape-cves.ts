// Container-escape and isolation CVEs in runc, containerd and Docker, with the first fixed upstream release of
// each line (from the projects' GitHub security advisories) and known distribution fixes that keep the old
// upstream number (Debian security tracker). Used by BH-H-005 (host packages) and BH-D-022 (Engine API).

export type Component = 'runc' | 'containerd' | 'docker';

export interface EscapeCve {
  readonly id: string;
  readonly component: Component;
  readonly summary: string;
  /** First fixed upstream version on each release line. */
  readonly fixed: readonly string[];
  /** Distribution package fixes: "<os id>:<codename>" -> package name -> first fixed package version. */
  readonly distroFixed?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly advisory: string;
  /** Only exploitable when the daemon uses an authorization plugin. */
  readonly requiresAuthz?: boolean;
}

export const ESCAPE_CVES: readonly EscapeCve[] = [
  {
    id: 'CVE-2019-5736',
    component: 'runc',
    summary:
      'a container process overwrites the host runc binary through /proc/self/exe and runs as host root',
    fixed: ['1.0.0-rc7'],
    distroFixed: { 'debian:buster': { runc: '1.0.0~rc6+dfsg1-3' } },
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-gxmr-w5mj-v8hh',
  },
  {
    id: 'CVE-2021-30465',
    component: 'runc',
    summary: 'symlink-exchange race in volume mounts lets a container mount host paths',
    fixed: ['1.0.0-rc95'],
    distroFixed: { 'debian:buster': { runc: '1.0.0~rc6+dfsg1-3+deb10u2' } },
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-c3xm-pvg7-gh7r',
  },
  {
    id: 'CVE-2024-21626',
    component: 'runc',
    summary:
      'leaked host file descriptor ("Leaky Vessels") gives a container process the host filesystem as its working directory',
    fixed: ['1.1.12'],
    distroFixed: {
      'debian:bookworm': { runc: '1.1.5+ds1-1+deb12u1' },
      'debian:bullseye': { runc: '1.0.0~rc93+ds1-5+deb11u3' },
    },
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-xr7r-f8xq-vfvv',
  },
  {
    id: 'CVE-2025-31133',
    component: 'runc',
    summary: 'maskedPaths race: /dev/null replaced by a symlink lets a container write to host procfs files',
    fixed: ['1.2.8', '1.3.3', '1.4.0-rc.3'],
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-9493-h29p-rfm2',
  },
  {
    id: 'CVE-2025-52565',
    component: 'runc',
    summary: '/dev/console bind-mount race lets a container write to host procfs files',
    fixed: ['1.2.8', '1.3.3', '1.4.0-rc.3'],
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-qw9x-cqr3-wc7r',
  },
  {
    id: 'CVE-2025-52881',
    component: 'runc',
    summary: 'procfs write redirection bypasses LSM labels and reaches host sysctls (/proc/sysrq-trigger)',
    fixed: ['1.2.8', '1.3.3', '1.4.0-rc.3'],
    advisory: 'https://github.com/opencontainers/runc/security/advisories/GHSA-cgrx-mc8f-2prm',
  },
  {
    id: 'CVE-2020-15257',
    component: 'containerd',
    summary: 'containerd-shim abstract socket reachable from host-network containers gives host root',
    fixed: ['1.3.9', '1.4.3'],
    advisory: 'https://github.com/containerd/containerd/security/advisories/GHSA-36xw-fx78-c5r4',
  },
  {
    id: 'CVE-2022-23648',
    component: 'containerd',
    summary: 'image volume path traversal copies arbitrary host files into the container',
    fixed: ['1.4.13', '1.5.10', '1.6.1'],
    distroFixed: { 'debian:bullseye': { containerd: '1.4.13~ds1-1~deb11u1' } },
    advisory: 'https://github.com/containerd/containerd/security/advisories/GHSA-crp2-qrr5-8pq7',
  },
  {
    id: 'CVE-2019-14271',
    component: 'docker',
    summary: 'docker cp loads libraries from the container into a host process (code execution as host root)',
    fixed: ['19.03.1'],
    advisory: 'https://nvd.nist.gov/vuln/detail/CVE-2019-14271',
  },
  {
    id: 'CVE-2024-41110',
    component: 'docker',
    summary: 'a request with Content-Length 0 reaches authorization plugins without its body: AuthZ bypass',
    fixed: ['23.0.15', '25.0.6', '26.1.5', '27.1.1'],
    advisory: 'https://github.com/moby/moby/security/advisories/GHSA-v23v-6jw2-98fq',
    requiresAuthz: true,
  },
  {
    id: 'CVE-2026-34040',
    component: 'docker',
    summary:
      'an oversized request body is forwarded to authorization plugins without the body (incomplete fix of CVE-2024-41110)',
    fixed: ['29.3.1'],
    advisory: 'https://github.com/moby/moby/security/advisories/GHSA-x744-4wpc-v9h2',
    requiresAuthz: true,
  },
];

/** Which component a package or Engine API component name is. */
export function componentOf(name: string): Component | undefined {
  const n = name.toLowerCase();
  if (n === 'runc' || n === 'moby-runc' || n === 'docker-runc') return 'runc';
  if (n === 'containerd' || n === 'containerd.io' || n === 'moby-containerd') return 'containerd';
  if (
    n === 'docker.io' ||
    n === 'docker-ce' ||
    n === 'docker-engine' ||
    n === 'moby-engine' ||
    n === 'engine' ||
    n === 'docker'
  )
    return 'docker';
  return undefined;
}
