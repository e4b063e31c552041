// Detects the operating system of an image or root filesystem: os-release(5) first (/etc/os-release, then
// /usr/lib/os-release), then the distribution marker files (/etc/debian_version, /etc/alpine-release,
// /etc/redhat-release), then "distroless" when only dpkg's status.d exists (GoogleContainerTools/distroless).
import type { OsFamily, OsInfo } from './types.js';

/** Parses os-release(5): KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match === null) continue;
    const [, key = '', rawValue = ''] = match;
    let value = rawValue;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    out.set(key, value);
  }
  return out;
}

const FAMILY_BY_ID: Readonly<Record<string, OsFamily>> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  alpine: 'alpine',
  wolfi: 'wolfi',
  chainguard: 'wolfi',
  rhel: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'alma',
  fedora: 'fedora',
  amzn: 'amazon',
  'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  sles: 'opensuse',
};

function familyOf(id: string, idLike: string | undefined): OsFamily {
  const direct = FAMILY_BY_ID[id];
  if (direct !== undefined) return direct;
  for (const like of (idLike ?? '').split(/\s+/)) {
    const family = FAMILY_BY_ID[like];
    if (family !== undefined) return family;
  }
  return 'unknown';
}

const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
};

export interface OsFiles {
  /** Returns the content of a root-relative path (following symlinks), or undefined. */
  readonly read: (path: string) => Buffer | undefined;
  /** True when dpkg's status.d directory has entries. */
  readonly hasDpkgStatusD: boolean;
}

function fromOsRelease(text: string, evidence: string): OsInfo | undefined {
  const fields = parseOsRelease(text);
  const id = fields.get('ID');
  if (id === undefined || id === '') return undefined;
  const versionId = fields.get('VERSION_ID');
  let codename = fields.get('VERSION_CODENAME');
  if ((codename === undefined || codename === '') && id === 'debian' && versionId !== undefined)
    codename = DEBIAN_CODENAMES[versionId];
  const prettyName = fields.get('PRETTY_NAME');
  return {
    family: familyOf(id, fields.get('ID_LIKE')),
    id,
    ...(versionId === undefined || versionId === '' ? {} : { versionId }),
    ...(codename === undefined || codename === '' ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
    evidence,
  };
}

export function detectOs(files: OsFiles): OsInfo {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const content = files.read(path);
    if (content === undefined) continue;
    const info = fromOsRelease(content.toString('utf8'), path);
    if (info !== undefined) {
      // Debian testing/sid have no VERSION_ID; debian_version then says "trixie/sid".
      return info;
    }
  }
  const alpine = files.read('etc/alpine-release')?.toString('utf8').trim();
  if (alpine !== undefined && /^\d+\.\d+/.test(alpine)) {
    return { family: 'alpine', id: 'alpine', versionId: alpine, evidence: 'etc/alpine-release' };
  }
  const debian = files.read('etc/debian_version')?.toString('utf8').trim();
  if (debian !== undefined && debian !== '') {
    const major = /^(\d+)(?:\.\d+)*$/.exec(debian)?.[1];
    const codename = major === undefined ? debian.split('/')[0] : DEBIAN_CODENAMES[major];
    return {
      family: 'debian',
      id: 'debian',
      ...(major === undefined ? {} : { versionId: major }),
      ...(codename === undefined || codename === '' ? {} : { codename }),
      evidence: 'etc/debian_version',
    };
  }
  const redhat = files.read('etc/redhat-release')?.toString('utf8').trim();
  if (redhat !== undefined && redhat !== '') {
    const version = /release (\d+(?:\.\d+)*)/.exec(redhat)?.[1];
    const lower = redhat.toLowerCase();
    const family: OsFamily = lower.startsWith('centos')
      ? 'centos'
      : lower.startsWith('rocky')
        ? 'rocky'
        : lower.startsWith('almalinux')
          ? 'alma'
          : lower.startsWith('fedora')
            ? 'fedora'
            : 'redhat';
    return {
      family,
      id: family === 'redhat' ? 'rhel' : family,
      ...(version === undefined ? {} : { versionId: version }),
      prettyName: redhat,
      evidence: 'etc/redhat-release',
    };
  }
  if (files.hasDpkgStatusD)
    return { family: 'distroless', id: 'distroless', evidence: 'var/lib/dpkg/status.d' };
  return {
    family: 'unknown',
    id: 'unknown',
    evidence: 'no os-release, debian_version, alpine-release or redhat-release',
  };
}
