// journald's Storage= setting as systemd resolves it (journald.conf(5)): journald.conf, then *.conf drop-ins from
// /usr/lib, /run and /etc journald.conf.d sorted by file name, the last assignment winning; "auto" (the default)
// is persistent only when /var/log/journal exists.
import type { RootFs } from '../root-fs.js';

const DROP_IN_DIRS = [
  '/usr/lib/systemd/journald.conf.d',
  '/run/systemd/journald.conf.d',
  '/etc/systemd/journald.conf.d',
];

export interface JournaldStorage {
  readonly storage: string;
  readonly at: { readonly file: string; readonly line?: number };
  readonly persistentDir: boolean;
}

export function readJournald(fs: RootFs): JournaldStorage {
  const dropIns = new Map<string, string>();
  for (const dir of DROP_IN_DIRS)
    for (const name of fs.list(dir) ?? []) if (name.endsWith('.conf')) dropIns.set(name, `${dir}/${name}`);
  const files = [
    '/etc/systemd/journald.conf',
    ...[...dropIns.keys()].sort().map((name) => dropIns.get(name) ?? name),
  ];
  let result: JournaldStorage['at'] & { storage?: string } = { file: 'journald default' };
  for (const file of files) {
    let section = '';
    (fs.readIfExists(file) ?? '').split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line.startsWith('[')) section = line;
      const m = /^Storage\s*=\s*(\S*)/.exec(line);
      if (m !== null && section === '[Journal]') result = { file, line: i + 1, storage: m[1] ?? '' };
    });
  }
  const { storage, ...at } = result;
  return { storage: storage ?? 'auto', at, persistentDir: fs.exists('/var/log/journal') };
}
