// Judges the options of dockerd's `local` volume driver (moby volume/local/local_unix.go, 20.10), which hands
// `type`, `o` and `device` to mount(2) unchanged (moby/sys/mount: known flag words become MS_* flags, the rest is
// the filesystem's data string): the type must be allow-listed, every flag and data key known, every path in the
// data (overlay lowerdir=/a:/b, upperdir=, workdir=, any value starting with "/") and a bind device are host paths.

/** local_unix.go validOpts: dockerd refuses any other key ("invalid option key"). */
const VALID_KEYS = new Set(['type', 'o', 'device', 'size']);

/** moby/sys/mount flags_unix.go: words of `o` that become mount flags instead of data. */
const FLAG_WORDS = new Set([
  'defaults',
  'ro',
  'rw',
  'suid',
  'nosuid',
  'dev',
  'nodev',
  'exec',
  'noexec',
  'sync',
  'async',
  'dirsync',
  'remount',
  'mand',
  'nomand',
  'atime',
  'noatime',
  'diratime',
  'nodiratime',
  'bind',
  'rbind',
  'unbindable',
  'runbindable',
  'private',
  'rprivate',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'relatime',
  'norelatime',
  'strictatime',
  'nostrictatime',
]);

/** Flags refused: remount changes an existing mount; shared propagation would carry container mounts to the host. */
const REFUSED_FLAGS = new Set(['remount', 'shared', 'rshared']);

/** Data keys known per filesystem type; a type the operator allows that is not listed here takes any key. */
const DATA_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  tmpfs: new Set([
    'size',
    'mode',
    'uid',
    'gid',
    'nr_inodes',
    'nr_blocks',
    'mpol',
    'huge',
    'inode32',
    'inode64',
  ]),
  none: new Set(),
  overlay: new Set([
    'lowerdir',
    'upperdir',
    'workdir',
    'redirect_dir',
    'index',
    'xino',
    'metacopy',
    'nfs_export',
    'userxattr',
    'volatile',
  ]),
};

/** Filesystems whose `device` is not a host path: tmpfs and overlay ignore it, network ones name a server. */
const DEVICE_NOT_A_PATH = new Set(['tmpfs', 'overlay', 'nfs', 'nfs4', 'cifs', 'smb3', 'ceph', '9p']);

/** Splits overlay's lowerdir list on ':' not escaped with '\' (fs/overlayfs super.c ovl_parse_lowerdir). */
export function splitLowerdir(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] ?? '';
    if (ch === '\\' && i + 1 < value.length) {
      cur += value[i + 1] ?? '';
      i += 1;
    } else if (ch === ':') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((p) => p !== '');
}

export interface LocalVolumePath {
  /** Where the path came from, e.g. "DriverOpts.o lowerdir". */
  readonly origin: string;
  readonly path: string;
}

export interface LocalVolumeVerdict {
  readonly violations: readonly string[];
  /** Host paths the mount will reach; the caller checks them against sensitivePaths and bindSources. */
  readonly hostPaths: readonly LocalVolumePath[];
}

/**
 * The violations of one set of local-driver options (`origin` names them in messages) and the host paths they
 * name. `allowedTypes` is the policy's `localVolumeTypes`.
 */
export function judgeLocalVolume(
  options: ReadonlyMap<string, string>,
  origin: string,
  allowedTypes: readonly string[],
): LocalVolumeVerdict {
  const violations: string[] = [];
  const hostPaths: LocalVolumePath[] = [];
  for (const key of options.keys()) {
    if (!VALID_KEYS.has(key))
      violations.push(`${origin} has option "${key}", which the local driver does not take`);
  }
  const type = options.get('type') ?? '';
  const o = options.get('o') ?? '';
  const device = options.get('device') ?? '';
  if (type === '' && o === '' && device === '') return { violations, hostPaths };
  // mount(2) gets the type as written: the kernel's filesystem names are case-sensitive
  if (!allowedTypes.includes(type)) {
    violations.push(
      `${origin}: local volume type "${type}" is not allowed (allowed: ${allowedTypes.join(', ') || 'none'})`,
    );
  }
  let bind = false;
  const known = DATA_KEYS[type];
  for (const word of o.split(',')) {
    if (word === '') continue;
    if (FLAG_WORDS.has(word)) {
      if (word === 'bind' || word === 'rbind') bind = true;
      if (REFUSED_FLAGS.has(word)) violations.push(`${origin}: mount flag "${word}" is not allowed`);
      continue;
    }
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? '' : word.slice(eq + 1);
    if (known !== undefined && !known.has(key)) {
      violations.push(`${origin}: mount option "${key}" is not allowed for type "${type}"`);
      continue;
    }
    const paths = key === 'lowerdir' ? splitLowerdir(value) : value;
    for (const path of Array.isArray(paths) ? paths : [paths]) {
      const pathKey = ['lowerdir', 'upperdir', 'workdir'].includes(key);
      if (path.startsWith('/')) hostPaths.push({ origin: `${origin} o ${key}=`, path });
      else if (pathKey) {
        violations.push(
          `${origin}: ${key}=${path} is a relative path, which mount(2) resolves against dockerd's working directory`,
        );
      }
    }
  }
  if (bind || !DEVICE_NOT_A_PATH.has(type)) {
    if (device.startsWith('/')) hostPaths.push({ origin: `${origin} device`, path: device });
    else if (device !== '') {
      violations.push(
        `${origin}: device "${device}" is a relative path, which mount(2) resolves against dockerd's working directory`,
      );
    }
  }
  return { violations, hostPaths };
}
