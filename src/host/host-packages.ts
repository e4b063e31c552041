// Reads the host's own package database (dpkg status, apk installed) for the few packages host rules need:
// kernels and Docker's runtime stack. Image scanning has its own full readers in src/packages/.
import type { RootFs } from './root-fs.js';

export interface HostPackage {
  readonly name: string;
  readonly version: string;
  /** The database it came from ("/var/lib/dpkg/status"). */
  readonly source: string;
}

const DPKG_STATUS = '/var/lib/dpkg/status';
const APK_INSTALLED = '/lib/apk/db/installed';

/** Installed packages (dpkg: status "install ok installed" only), or undefined when the host has no known database. */
export function readHostPackages(fs: RootFs): HostPackage[] | undefined {
  const dpkg = fs.readIfExists(DPKG_STATUS);
  if (dpkg !== undefined) {
    const packages: HostPackage[] = [];
    for (const stanza of dpkg.split(/\n\s*\n/)) {
      const field = (name: string): string | undefined =>
        new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim();
      const name = field('Package');
      const version = field('Version');
      const status = field('Status');
      if (name !== undefined && version !== undefined && status?.endsWith(' installed') === true) {
        packages.push({ name, version, source: DPKG_STATUS });
      }
    }
    return packages;
  }
  const apk = fs.readIfExists(APK_INSTALLED);
  if (apk !== undefined) {
    const packages: HostPackage[] = [];
    for (const block of apk.split(/\n\s*\n/)) {
      const name = /^P:(.*)$/m.exec(block)?.[1];
      const version = /^V:(.*)$/m.exec(block)?.[1];
      if (name !== undefined && version !== undefined)
        packages.push({ name, version, source: APK_INSTALLED });
    }
    return packages;
  }
  return undefined;
}

/** Package names of Docker's runtime stack across Debian, Docker's own repository and Alpine. */
export const DOCKER_PACKAGE_NAMES: ReadonlySet<string> = new Set([
  'runc',
  'containerd',
  'containerd.io',
  'docker.io',
  'docker-ce',
  'docker-ce-cli',
  'docker-ce-rootless-extras',
  'docker-engine',
  'docker',
  'docker-cli',
  'docker-engine',
  'moby-engine',
  'moby-runc',
  'moby-containerd',
  'runsc',
  'kata-runtime',
]);
