// Kernel facts from procfs/sysfs under the root: running release, installed kernels (package database, /boot,
// /lib/modules), reboot-required markers, live patches (/sys/kernel/livepatch, kernel livepatch ABI), loaded
// modules (/proc/modules), cgroup version and seccomp support.
import { known, unknown, type Known } from '../facts/known.js';
import type { HostFacts } from '../facts/host.js';
import type { HostPackage } from './host-packages.js';
import {
  cvesFromCanonicalStatus,
  cvesFromKernelCare,
  cvesFromPatchNames,
  runLivepatchClient,
} from './livepatch-cves.js';
import type { RootFs } from './root-fs.js';

type KernelFacts = HostFacts['kernel'];
type KernelPackage = Extract<KernelFacts['installed'], { state: 'known' }>['value'][number];

function readTrimmed(fs: RootFs, path: string): Known<string> {
  const result = fs.read(path);
  if (!result.ok) return unknown(result.reason);
  const value = result.text.trim();
  return value === '' ? unknown(`${path} is empty`) : known(value, path);
}

/** A kernel package name's release: linux-image-6.1.0-18-amd64(-unsigned) -> 6.1.0-18-amd64; meta packages have none. */
export function kernelReleaseOfPackage(name: string): string | undefined {
  const match = /^linux-image-(\d+\.\d+.*?)(?:-unsigned)?$/.exec(name);
  return match?.[1];
}

function installedKernels(fs: RootFs, packages: readonly HostPackage[] | undefined): Known<KernelPackage[]> {
  if (packages !== undefined) {
    const kernels = packages.flatMap((p): KernelPackage[] => {
      const release = kernelReleaseOfPackage(p.name);
      return release === undefined ? [] : [{ name: p.name, version: p.version, release }];
    });
    if (kernels.length > 0) return known(kernels, packages[0]?.source ?? 'package database');
  }
  const boot = fs.list('/boot')?.filter((f) => f.startsWith('vmlinuz-'));
  if (boot !== undefined && boot.length > 0) {
    return known(
      boot.map((f) => ({ name: `/boot/${f}`, release: f.slice('vmlinuz-'.length) })),
      '/boot',
    );
  }
  const modules = fs.list('/lib/modules');
  if (modules !== undefined && modules.length > 0) {
    return known(
      modules.map((release) => ({ name: `/lib/modules/${release}`, release })),
      '/lib/modules',
    );
  }
  return unknown(
    'no kernel packages in the package database and no /boot/vmlinuz-* or /lib/modules/* entries',
  );
}

function rebootRequired(fs: RootFs): KernelFacts['rebootRequired'] {
  for (const marker of ['/run/reboot-required', '/var/run/reboot-required']) {
    if (fs.exists(marker)) {
      const packages = (fs.readIfExists(`${marker}.pkgs`) ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return known({ required: true, packages }, marker);
    }
  }
  // Absence of the marker only means something on distributions that write it (Debian/Ubuntu's update-notifier).
  return fs.exists('/var/lib/dpkg/status')
    ? known({ required: false, packages: [] }, '/run/reboot-required (absent)')
    : unknown('this distribution does not write /run/reboot-required');
}

function livepatch(fs: RootFs): KernelFacts['livepatch'] {
  const entries = fs.list('/sys/kernel/livepatch');
  if (entries === undefined) {
    return fs.exists('/sys/kernel')
      ? known(
          { patches: [] },
          '/sys/kernel/livepatch (absent: kernel without CONFIG_LIVEPATCH or no patch loaded)',
        )
      : unknown('/sys is not available under the root');
  }
  const patches = entries.map((name) => ({
    name,
    enabled: (fs.readIfExists(`/sys/kernel/livepatch/${name}/enabled`) ?? '').trim() === '1',
  }));
  return known({ patches }, '/sys/kernel/livepatch');
}

function modules(fs: RootFs): KernelFacts['modules'] {
  const result = fs.read('/proc/modules');
  if (!result.ok) return unknown(result.reason);
  const names = result.text
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
  return known(names, '/proc/modules');
}

function cgroupVersion(fs: RootFs): KernelFacts['cgroupVersion'] {
  if (fs.exists('/sys/fs/cgroup/cgroup.controllers'))
    return known(2 as const, '/sys/fs/cgroup/cgroup.controllers');
  if (fs.exists('/sys/fs/cgroup')) return known(1 as const, '/sys/fs/cgroup (no cgroup.controllers)');
  return unknown('/sys/fs/cgroup is not available under the root');
}

function seccomp(fs: RootFs): KernelFacts['seccomp'] {
  const actions = fs.readIfExists('/proc/sys/kernel/seccomp/actions_avail');
  if (actions !== undefined)
    return known(
      { available: true, actions: actions.trim().split(/\s+/).filter(Boolean) },
      '/proc/sys/kernel/seccomp/actions_avail',
    );
  const status = fs.readIfExists('/proc/self/status');
  if (status !== undefined) {
    const available = /^Seccomp:/m.test(status);
    return known({ available, actions: [] }, '/proc/self/status');
  }
  return unknown('neither /proc/sys/kernel/seccomp/actions_avail nor /proc/self/status is readable');
}

function livepatchCves(
  fs: RootFs,
  patches: KernelFacts['livepatch'],
): NonNullable<KernelFacts['livepatchCves']> {
  const fromNames = patches.state === 'known' ? cvesFromPatchNames(patches.value.patches) : [];
  const canonical = runLivepatchClient(
    fs.root,
    '/snap/bin/canonical-livepatch',
    ['status', '--format', 'json'],
    (p) => fs.exists(p),
  );
  const kcare = runLivepatchClient(fs.root, '/usr/bin/kcarectl', ['--patch-info'], (p) => fs.exists(p));
  const all = [
    ...fromNames,
    ...(canonical === undefined ? [] : cvesFromCanonicalStatus(canonical)),
    ...(kcare === undefined ? [] : cvesFromKernelCare(kcare)),
  ];
  const sources = [
    patches.state === 'known' ? patches.source : undefined,
    canonical === undefined ? undefined : 'canonical-livepatch status',
    kcare === undefined ? undefined : 'kcarectl --patch-info',
  ].filter((s): s is string => s !== undefined);
  if (sources.length === 0)
    return unknown(patches.state === 'unknown' ? patches.reason : 'no live-patch source readable');
  return known(all, sources.join(', '));
}

export function readKernelFacts(fs: RootFs, packages: readonly HostPackage[] | undefined): KernelFacts {
  const patches = livepatch(fs);
  const signature = fs.read('/proc/version_signature');
  return {
    release: readTrimmed(fs, '/proc/sys/kernel/osrelease'),
    version: readTrimmed(fs, '/proc/sys/kernel/version'),
    installed: installedKernels(fs, packages),
    rebootRequired: rebootRequired(fs),
    livepatch: patches,
    procVersion: readTrimmed(fs, '/proc/version'),
    ...(signature.ok ? { versionSignature: readTrimmed(fs, '/proc/version_signature') } : {}),
    livepatchCves: livepatchCves(fs, patches),
    modules: modules(fs),
    cgroupVersion: cgroupVersion(fs),
    seccomp: seccomp(fs),
  };
}
