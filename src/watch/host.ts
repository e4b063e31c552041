// Host application control (watch --host; docs/watch.md "Host application control"): FAN_OPEN_EXEC_PERM
// filesystem marks on the filesystems holding the host's executables (deduplicated by device), each host exec
// judged against the package databases (src/host/package-files.ts) and the host profile (host-profile.ts), learned
// in learn mode, alerted on (BH-W-009, BH-W-010), or denied by the addon's verdict thread from an allow-set of
// `path\tino\tctime` keys (hostGateKey) in deny mode, which refuses to start unless the promoted host profile lists
// the init system, the shell, dockerd and bulkhead itself. Execs from container cgroups pass (reason -1). When a
// package manager changes its database (packageDatabaseStamp, polled), the index is re-read and the allow-set
// replaced, so an upgraded package's files are package-owned again and a file changed outside it still is not.
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  type BigIntStats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import {
  diffPackageFileIndexes,
  digestFile,
  loadPackageFileIndex,
  packageDatabaseStamp,
  rereadPaths,
  type OwnedFile,
  type PackageFileIndex,
} from '../host/package-files.js';
import { DENY_REASON, hostGateKey, type NativeRecord, type WatchAddon } from '../native/index.js';
import { BulkheadError, describeError, UsageError } from '../shared/errors.js';
import { resolveBinary, sha256File } from './guard.js';
import {
  emptyHostProfile,
  hostProfileFile,
  learnHostExec,
  loadHostProfile,
  mergeHostLearned,
  updateHostProfileFile,
  type HostExecutable,
  type HostProfile,
  type HostRole,
} from './host-profile.js';
import type { WatchMode } from './profile.js';
import { BASE_FACTS, type ExecFacts } from './rule.js';
import { HOST_RULES } from './rules/index.js';
import type { Verdict, WatchEvent } from './store.js';

/** Where a host keeps executables (deduplicated by device: on most hosts this is one or two filesystems). */
export const DEFAULT_HOST_PATHS = [
  '/',
  '/usr',
  '/usr/local',
  '/opt',
  '/home',
  '/root',
  '/srv',
  '/tmp',
  '/var/tmp',
  '/dev/shm',
  '/run',
] as const;

/** The loader's or a script interpreter's open comes within this of its execve's own (same pid and argv). */
const SAME_EXECVE_MS = 200;

/** The package managers whose maintainer scripts may run what they have just unpacked (deny mode, see attach). */
const PACKAGE_MANAGERS = ['/usr/bin/dpkg', '/usr/bin/rpm'];

/** How often the package databases' stamp is taken (a dozen stats) while watch --host runs. */
export const PACKAGE_POLL_MS = 250;

/**
 * When a changed package database is re-read: once it has been still for `quietMs` (dpkg writes a package's list,
 * md5sums and status in bursts), or `maxWaitMs` after the first unread change while a long upgrade keeps writing
 * (deny mode must not wait for the end of `apt upgrade` to allow the binaries it has already replaced).
 */
export class PackageDbDebounce {
  private read: string;
  private pending: { stamp: string; since: number; at: number } | undefined;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;

  constructor(readStamp: string, quietMs = 250, maxWaitMs = 1000) {
    this.read = readStamp;
    this.quietMs = quietMs;
    this.maxWaitMs = maxWaitMs;
  }

  /** The stamp taken at `now` (ms): true when the databases should be re-read. */
  note(stamp: string, now: number): boolean {
    if (stamp === this.read) {
      this.pending = undefined;
      return false;
    }
    if (this.pending?.stamp !== stamp) this.pending = { stamp, since: this.pending?.since ?? now, at: now };
    return now - this.pending.at >= this.quietMs || now - this.pending.since >= this.maxWaitMs;
  }

  /** Whether `stamp` differs from the one of the last read. */
  changed(stamp: string): boolean {
    return stamp !== this.read;
  }

  /** The databases were read; `stamp` was taken just before the read (a write during it is seen next time). */
  markRead(stamp: string): void {
    this.read = stamp;
    this.pending = undefined;
  }
}

export interface HostFilesystem {
  readonly path: string;
  readonly dev: number;
}

/** The filesystems to mark: one path per device; an explicit path that does not exist is a usage error. */
export function hostFilesystems(paths: readonly string[] | undefined): HostFilesystem[] {
  const out: HostFilesystem[] = [];
  for (const path of paths ?? DEFAULT_HOST_PATHS) {
    let dev: number;
    try {
      const st = statSync(path);
      if (!st.isDirectory()) throw new Error('not a directory');
      dev = st.dev;
    } catch (error) {
      if (paths === undefined) continue;
      throw new UsageError(`--host-paths: ${path} is not a directory (${describeError(error)})`, {
        hint: 'list existing directories, e.g. --host-paths /,/opt',
      });
    }
    if (!out.some((f) => f.dev === dev)) out.push({ path, dev });
  }
  return out;
}

export interface RequiredExecutable {
  readonly role: HostRole;
  readonly path: string;
  /** Where bulkhead found it ("/proc/1/exe", "/bin/sh", "running dockerd (pid 812)"). */
  readonly from: string;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What host deny needs in its allow-list: the init system (/proc/1/exe), the shell (/bin/sh's target), dockerd (the
 * running daemon's executable, else PATH) and bulkhead (the node binary running it and its entry script).
 * `unresolved` names what could not be found (a host without dockerd, an init whose exe is hidden).
 */
export function requiredHostExecutables(env: Readonly<Record<string, string | undefined>>): {
  found: RequiredExecutable[];
  unresolved: string[];
} {
  const found: RequiredExecutable[] = [];
  const unresolved: string[] = [];
  const add = (role: HostRole, path: string | undefined, from: string): boolean => {
    const r = path === undefined ? undefined : real(path);
    if (r === undefined) return false;
    if (!found.some((f) => f.path === r)) found.push({ role, path: r, from });
    return true;
  };
  let initWhy = '';
  try {
    add('init', readlinkSync('/proc/1/exe'), '/proc/1/exe');
  } catch (error) {
    initWhy = describeError(error);
    // some sandboxes hide pid 1's exe link; its argv[0] still names the file
    let argv0: string | undefined;
    try {
      argv0 = readFileSync('/proc/1/cmdline', 'utf8').split('\0')[0];
    } catch {
      argv0 = undefined;
    }
    if (
      argv0 === undefined ||
      !argv0.startsWith('/') ||
      !add('init', argv0, `/proc/1/cmdline (/proc/1/exe: ${initWhy})`)
    )
      unresolved.push(`init: /proc/1/exe is unreadable (${initWhy}) and /proc/1/cmdline names no file`);
  }
  if (!add('shell', '/bin/sh', '/bin/sh')) unresolved.push('shell: /bin/sh does not exist');
  let dockerd: { path: string; from: string } | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = readlinkSync(`/proc/${entry}/exe`);
      if (exe.endsWith('/dockerd')) {
        dockerd = { path: exe, from: `running dockerd (pid ${entry})` };
        break;
      }
    } catch {
      // another user's or gone
    }
  }
  dockerd ??= ((p) => (p === undefined ? undefined : { path: p, from: 'dockerd in PATH' }))(
    resolveBinary('dockerd', env['PATH']),
  );
  if (dockerd === undefined || !add('dockerd', dockerd.path, dockerd.from))
    unresolved.push('dockerd: no running daemon and none in PATH');
  add('bulkhead', process.execPath, 'the node binary running bulkhead');
  const entry = process.argv[1];
  if (entry !== undefined) add('bulkhead', entry, 'the bulkhead entry script');
  return { found, unresolved };
}

/** Why deny cannot start: required executables the promoted profile lacks (or lists with another sha256). */
export function missingForDeny(
  profile: HostProfile | undefined,
  required: readonly RequiredExecutable[],
  gated: (path: string) => boolean,
): string[] {
  const missing: string[] = [];
  for (const r of required) {
    const entry = profile?.executables.find((e) => e.path === r.path);
    if (entry === undefined) {
      missing.push(`${r.role} ${r.path} (${r.from}) is not listed`);
      continue;
    }
    if (entry.sha256 === undefined || !gated(r.path)) continue;
    let now: string;
    try {
      now = sha256File(r.path);
    } catch (error) {
      now = `unreadable (${describeError(error)})`;
    }
    if (now !== entry.sha256)
      missing.push(
        `${r.role} ${r.path} is listed with sha256 ${entry.sha256.slice(0, 12)}, the file now has ${now.slice(0, 12)}`,
      );
  }
  return missing;
}

export interface HostControlOptions {
  /** Directories whose filesystems are marked (default DEFAULT_HOST_PATHS). */
  readonly paths: readonly string[] | undefined;
  /** Where the package databases are read (default "/"; tests pass a fixture root). */
  readonly packageRoot: string;
  readonly profilesDir: string;
  readonly mode: WatchMode;
  readonly log: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface HostStatus {
  readonly filesystems: readonly HostFilesystem[];
  readonly mode: WatchMode;
  readonly profileVersion: number | null;
  readonly profileError?: string | undefined;
  readonly packages: readonly string[];
  readonly allowed: number | null;
  /** Re-reads of the package databases since start (a package manager changed them), and when the last read was. */
  readonly packageRereads: number;
  readonly packagesReadAt: string | null;
}

interface FileFacts {
  readonly sha256: string | undefined;
  readonly owner: OwnedFile | undefined;
  readonly verified: boolean | undefined;
}

/** The host side of one Watcher: its marks, package index, profile and verdicts. */
export class HostControl {
  private readonly options: HostControlOptions;
  readonly filesystems: HostFilesystem[];
  private index: PackageFileIndex = { byPath: new Map(), sources: [], warnings: [], parts: new Map() };
  /** Package file -> its gate key, for the vouched ones (deny mode): a re-read recomputes its packages' files only. */
  private readonly packageKeys = new Map<string, string>();
  private packages: PackageDbDebounce | undefined;
  /** When an alert last made watch re-read (Date.now ms): at most once a second while an upgrade goes on. */
  private alertReadAt = 0;
  private packageRereads = 0;
  private packagesReadAt: string | null = null;
  private addon: WatchAddon | undefined;
  private enforced: HostProfile | undefined;
  private enforcedMtimeMs = 0;
  private error: string | undefined;
  private learned: HostProfile | undefined;
  private dirty = false;
  private saveError: string | undefined;
  private readonly marks = new Map<number, HostFilesystem>();
  private allowedKeys: number | null = null;
  /** The last host exec per pid: the dynamic loader's or an interpreter's open in the same execve is not a second exec. */
  private readonly lastExec = new Map<
    number,
    { cmdline: string | undefined; ino: number | undefined; at: number }
  >();
  /** dev:ino:ctime -> what the file is (hashing once per version of a file); cleared when the package index changes. */
  private readonly files = new Map<string, FileFacts>();
  /** dev:ino:ctime:algo -> the file's digest: a re-read of the package databases hashes only files that changed. */
  private readonly digests = new Map<string, string>();

  constructor(options: HostControlOptions) {
    this.options = options;
    this.filesystems = hostFilesystems(options.paths);
    if (options.mode === 'kill')
      throw new UsageError('watch --host does not offer kill mode', {
        hint: 'use --mode alert, or --mode deny (the exec fails with EPERM before it runs)',
      });
  }

  /** Loads the profile and the package databases; in deny mode refuses (exit 2) without the required entries. */
  prepare(): void {
    this.reload();
    if (this.error !== undefined && this.options.mode === 'deny')
      throw new BulkheadError('INPUT_INVALID', `watch --host --mode deny refuses to start: ${this.error}`, {
        hint: 'fix the host profile',
      });
    if (this.options.mode === 'deny') {
      const { found, unresolved } = requiredHostExecutables(this.options.env);
      for (const u of unresolved) this.options.log(`bulkhead watch --host: ${u} (not required)`);
      const missing = missingForDeny(this.enforced, found, (p) => this.gated(p));
      if (missing.length > 0)
        throw new BulkheadError(
          'INPUT_INVALID',
          `watch --host --mode deny refuses to start: the promoted host allow-list ${hostProfileFile(this.options.profilesDir, 'enforced')} ${this.enforced === undefined ? 'does not exist' : `(v${this.enforced.version})`}; it must contain the init system, the shell, dockerd and bulkhead itself:\n  ${missing.join('\n  ')}`,
          {
            hint: 'learn on this host (bulkhead watch --host --mode learn), read `bulkhead watch profile diff host`, promote it (`bulkhead watch profile promote host`), then start deny',
          },
        );
    }
    const ms = this.readPackages();
    this.options.log(
      `bulkhead watch --host: package databases: ${this.index.sources.join('; ') || 'none found'} (${ms} ms)`,
    );
    if (this.options.mode === 'learn') {
      const file = hostProfileFile(this.options.profilesDir, 'learned');
      try {
        this.learned = existsSync(file) ? loadHostProfile(file) : emptyHostProfile(hostname(), new Date());
      } catch (error) {
        this.options.log(`bulkhead watch: ${describeError(error)}; learning the host in memory`);
        this.learned = emptyHostProfile(hostname(), new Date());
      }
      this.dirty = true;
    }
  }

  /** Reads the package databases (the stamp first: a write during the read is seen by the next poll); ms taken. */
  private readPackages(): number {
    const started = Date.now();
    const stamp = packageDatabaseStamp(this.options.packageRoot);
    this.index = loadPackageFileIndex(this.options.packageRoot, this.index);
    this.files.clear();
    for (const w of this.index.warnings.slice(0, 20)) this.options.log(`bulkhead watch --host: ${w}`);
    if (this.packages === undefined) this.packages = new PackageDbDebounce(stamp);
    else {
      this.packages.markRead(stamp);
      this.packageRereads += 1;
    }
    this.packagesReadAt = new Date().toISOString();
    return Date.now() - started;
  }

  /**
   * Takes the package databases' stamp (every PACKAGE_POLL_MS, and before a host exec is alerted on) and re-reads
   * them when they changed: debounced on the poll, at once (at most once a second) for an alert, so an exec of a
   * just-upgraded binary is judged by its package's new digest. In deny mode the marks then get the new allow-set;
   * the old one answers until markSet swaps it in (one pointer under the addon's lock), so the re-read opens no
   * window. Returns whether it re-read.
   */
  followPackages(trigger: 'poll' | 'alert'): boolean {
    const debounce = this.packages;
    if (debounce === undefined) return false;
    const stamp = packageDatabaseStamp(this.options.packageRoot);
    const now = Date.now();
    const due =
      trigger === 'poll'
        ? debounce.note(stamp, now)
        : debounce.changed(stamp) && now - this.alertReadAt >= 1000;
    if (!due) return false;
    if (trigger === 'alert') this.alertReadAt = now;
    const before = this.index;
    let ms: number;
    try {
      ms = this.readPackages();
    } catch (error) {
      // a database removed mid-read: the last index stays in force until the next change
      debounce.markRead(stamp);
      this.options.log(
        `bulkhead watch --host: re-reading the package databases failed (${describeError(error)}); the last read stays in force`,
      );
      return false;
    }
    const c = diffPackageFileIndexes(before, this.index);
    const reread = rereadPaths(before, this.index);
    const parts = [...this.index.parts].filter(([key, part]) => before.parts.get(key) !== part).length;
    // the line follows markSet: once it is logged, the new allow-set answers
    if (this.addon !== undefined) this.updateMarks(this.addon, reread);
    this.options.log(
      `bulkhead watch --host: package databases changed; re-read in ${ms} ms (${trigger === 'poll' ? 'on the poll' : 'before an alert'}, ${parts} packages read again): ${c.added + c.removed + c.changed} files changed (${c.added} added, ${c.removed} removed, ${c.changed} with a new digest); ${this.index.sources.join('; ') || 'none found'}`,
    );
    return true;
  }

  private updateMarks(addon: WatchAddon, reread?: ReadonlySet<string>): void {
    if (this.marks.size === 0) return;
    const allow = this.allowList(reread);
    for (const [id, fs] of this.marks)
      addon.markSet(id, fs.path, '', this.options.mode === 'deny' ? 1 : 0, allow, true);
  }

  /** Marks every host filesystem; `nextMark` hands out mark ids shared with the container marks. */
  attach(addon: WatchAddon, nextMark: () => number): void {
    this.addon = addon;
    const allow = this.allowList();
    for (const fs of this.filesystems) {
      const id = nextMark();
      addon.markSet(id, fs.path, '', this.options.mode === 'deny' ? 1 : 0, allow, true);
      this.marks.set(id, fs);
    }
    if (this.options.mode !== 'deny') return;
    // a maintainer script runs what its package has just unpacked (dpkg configures right after it unpacks), before
    // the re-read can vouch for it: what the package managers run is allowed, then judged once re-read
    const installers = PACKAGE_MANAGERS.filter((path) => existsSync(path)).map((path) => realpathSync(path));
    for (const path of installers) addon.installerAdd(path);
    if (installers.length > 0)
      this.options.log(
        `bulkhead watch --host: what ${installers.join(', ')} run during an install is allowed, and judged again after the re-read`,
      );
  }

  /** Seeds the learned profile with the required executables and the running host processes on marked filesystems. */
  learnRunning(hostPids: Iterable<number>): void {
    if (this.learned === undefined) return;
    const now = new Date();
    for (const r of requiredHostExecutables(this.options.env).found)
      this.learned = learnHostExec(
        this.learned,
        { ...this.learnFacts(r.path), required: r.role, seeded: true },
        now,
      );
    for (const pid of hostPids) {
      try {
        const exe = readlinkSync(`/proc/${pid}/exe`);
        if (!exe.startsWith('/') || exe.endsWith(' (deleted)') || !this.gated(exe)) continue;
        this.learned = learnHostExec(
          this.learned,
          { ...this.learnFacts(exe), uid: statSync(`/proc/${pid}`).uid, seeded: true },
          now,
        );
      } catch {
        // exited meanwhile
      }
    }
    this.dirty = true;
  }

  private learnFacts(path: string): {
    exe: string;
    sha256: string | undefined;
    uid: undefined;
    parent: undefined;
    package: HostExecutable['package'];
  } {
    const f = this.gated(path)
      ? this.fileFacts(path)
      : { sha256: undefined, owner: this.index.byPath.get(path), verified: undefined };
    return {
      exe: path,
      sha256: f.sha256,
      uid: undefined,
      parent: undefined,
      package:
        f.owner === undefined
          ? undefined
          : { manager: f.owner.manager, name: f.owner.package, verified: f.verified ?? null },
    };
  }

  isHostMark(id: number | undefined): boolean {
    return id !== undefined && this.marks.has(id);
  }

  /** Whether a file lies on a marked filesystem. */
  gated(path: string): boolean {
    try {
      const dev = statSync(path).dev;
      return this.filesystems.some((f) => f.dev === dev);
    } catch {
      return false;
    }
  }

  /**
   * Whether the file matches its package's digest (undefined: none recorded, or unreadable), hashing each version
   * of a file (dev:ino:ctime) once: a package upgrade gives its files new inodes, the rest keep their cached digest.
   */
  private verified(path: string, owner: OwnedFile): boolean | undefined {
    if (owner.digest === undefined) return undefined;
    try {
      const st = statSync(path, { bigint: true });
      const key = `${st.dev}:${st.ino}:${st.ctimeNs}:${owner.algo}`;
      let digest = this.digests.get(key);
      if (digest === undefined) {
        digest = digestFile(path, owner.algo);
        if (this.digests.size > 50_000) this.digests.clear();
        this.digests.set(key, digest);
      }
      return digest === owner.digest;
    } catch {
      return undefined;
    }
  }

  private fileFacts(path: string): FileFacts {
    let key: string;
    try {
      const st = statSync(path, { bigint: true });
      key = `${st.dev}:${st.ino}:${st.ctimeNs}`;
    } catch {
      return { sha256: undefined, owner: this.index.byPath.get(path), verified: undefined };
    }
    const cached = this.files.get(key);
    if (cached !== undefined) return cached;
    const owner = this.index.byPath.get(path);
    let sha256: string | undefined;
    try {
      sha256 = sha256File(path);
    } catch {
      sha256 = undefined;
    }
    const facts = { sha256, owner, verified: owner === undefined ? undefined : this.verified(path, owner) };
    if (this.files.size > 20_000) this.files.clear();
    this.files.set(key, facts);
    return facts;
  }

  /** Whether the promoted profile lists `path` with the sha256 the file has now; undefined without a profile. */
  private listed(path: string, sha256: string | undefined): boolean | undefined {
    if (this.enforced === undefined) return undefined;
    const entry = this.enforced.executables.find((e) => e.path === path);
    return entry !== undefined && (entry.sha256 === undefined || entry.sha256 === sha256);
  }

  /**
   * The addon's allow-set in deny mode (null otherwise: nothing is denied): the promoted entries whose file still has
   * the listed sha256, and the package-owned executables on the marked filesystems that match their package digest
   * (or whose package recorded none), each as `path\tino\tctime`, so a file replaced or changed later is not allowed.
   * `reread`: only these package paths are looked at again (the files of the packages a re-read did not reuse); the
   * other package files keep their keys, and a key of a file changed since then matches no exec.
   */
  private allowList(reread?: ReadonlySet<string>): string[] | null {
    if (this.options.mode !== 'deny') return null;
    const started = Date.now();
    const keys = new Set<string>();
    for (const e of this.enforced?.executables ?? []) {
      const key = this.gateKey(
        e.path,
        () => e.sha256 === undefined || this.fileFacts(e.path).sha256 === e.sha256,
      );
      if (key !== undefined) keys.add(key);
    }
    const realDirs = new Map<string, string | undefined>();
    if (reread === undefined) this.packageKeys.clear();
    for (const [path, owner] of reread === undefined ? this.index.byPath : this.reread(reread)) {
      this.packageKeys.delete(path);
      const key = owner === undefined ? undefined : this.packageKey(path, owner, realDirs);
      if (key !== undefined) this.packageKeys.set(path, key);
    }
    for (const key of this.packageKeys.values()) keys.add(key);
    this.allowedKeys = keys.size;
    this.options.log(
      `bulkhead watch --host: deny allow-set of ${keys.size} files (${this.enforced?.executables.length ?? 0} in host profile v${this.enforced?.version ?? '-'}, ${this.packageKeys.size} package executables verified${reread === undefined ? '' : `, ${reread.size} package files looked at again`}) in ${Date.now() - started} ms`,
    );
    return [...keys];
  }

  private *reread(paths: ReadonlySet<string>): Generator<[string, OwnedFile | undefined]> {
    for (const path of paths) yield [path, this.index.byPath.get(path)];
  }

  private marked(dev: bigint): boolean {
    return this.filesystems.some((f) => BigInt(f.dev) === dev);
  }

  /** The gate key of the file `path` names (the kernel names it by its real path), if it is a marked file and `check` passes. */
  private gateKey(path: string, check: (st: BigIntStats) => boolean): string | undefined {
    try {
      // a listed symlink, e.g. /lib64/ld-linux-x86-64.so.2, is its target
      const realPath = realpathSync.native(path);
      const st = statSync(realPath, { bigint: true });
      if (!st.isFile() || !this.marked(st.dev) || !check(st)) return undefined;
      return hostGateKey(realPath, { ino: st.ino, ctimeNs: st.ctimeNs });
    } catch {
      return undefined; // gone
    }
  }

  /** A package file's gate key when it is an executable that matches its package's digest (or has none recorded). */
  private packageKey(
    path: string,
    owner: OwnedFile,
    realDirs: Map<string, string | undefined>,
  ): string | undefined {
    const vouch = (st: BigIntStats): boolean =>
      (st.mode & 0o111n) !== 0n && (owner.digest === undefined || this.verified(path, owner) === true);
    // one lstat per package file (a whole system lists ~100,000, ~2% executable), realpath once per directory
    let lst: BigIntStats;
    try {
      lst = lstatSync(path, { bigint: true });
    } catch {
      return undefined;
    }
    if (lst.isSymbolicLink()) return this.gateKey(path, vouch);
    if (!lst.isFile() || (lst.mode & 0o111n) === 0n || !this.marked(lst.dev)) return undefined;
    const dir = dirname(path);
    let realDir = realDirs.get(dir);
    if (!realDirs.has(dir)) {
      try {
        realDir = realpathSync.native(dir);
      } catch {
        realDir = undefined;
      }
      realDirs.set(dir, realDir);
    }
    if (realDir === undefined || !vouch(lst)) return undefined;
    return hostGateKey(join(realDir, basename(path)), { ino: lst.ino, ctimeNs: lst.ctimeNs });
  }

  /** Re-reads host.yaml when it changed (a broken file keeps the last good one) and updates the marks' allow-set. */
  reload(addon?: WatchAddon): void {
    const file = hostProfileFile(this.options.profilesDir, 'enforced');
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs === this.enforcedMtimeMs) return;
    this.enforcedMtimeMs = mtimeMs;
    try {
      this.enforced = loadHostProfile(file);
      this.error = undefined;
    } catch (error) {
      this.error = describeError(error);
      this.options.log(
        `bulkhead watch: ${this.error}\n  (${this.enforced === undefined ? 'no host profile in force' : `host profile v${this.enforced.version} stays in force`})`,
      );
      return;
    }
    if (addon !== undefined) this.updateMarks(addon);
  }

  flush(): void {
    const learned = this.learned;
    if (!this.dirty || learned === undefined) return;
    try {
      updateHostProfileFile(hostProfileFile(this.options.profilesDir, 'learned'), (current) =>
        mergeHostLearned(current, learned),
      );
      this.dirty = false;
      this.saveError = undefined;
    } catch (error) {
      const message = describeError(error);
      if (message !== this.saveError)
        this.options.log(`bulkhead watch: ${message}\n  (host learning kept in memory)`);
      this.saveError = message;
    }
  }

  /** One exec on a host mark -> the event to store (undefined: a container's exec, judged by its own mark). */
  judge(r: NativeRecord, base: WatchEvent): WatchEvent | undefined {
    if (r.reason === DENY_REASON.container) return undefined;
    const path = r.path ?? '';
    const examine = (): { f: FileFacts; facts: ExecFacts; hits: { id: string; message: string }[] } => {
      const f = this.fileFacts(path);
      const facts: ExecFacts = {
        ...BASE_FACTS,
        scope: 'host',
        path,
        exe: path,
        argv: r.cmdline === undefined || r.cmdline === '' ? [] : r.cmdline.replace(/\0$/, '').split('\0'),
        uid: r.uid,
        tty: r.tty !== 0,
        setid: r.setid === 1,
        parent: r.parent,
        inProfile: this.listed(path, f.sha256),
        hostPackage: f.owner === undefined ? undefined : { name: f.owner.package, verified: f.verified },
      };
      const hits = HOST_RULES.flatMap((rule) => {
        const message = rule.check(facts);
        return message === undefined ? [] : [{ id: rule.meta.id, message }];
      });
      return { f, facts, hits };
    };
    let judged = examine();
    // a package manager wrote since the last read (the poll's debounce has not fired yet): judge by what it wrote
    const reread = judged.hits.length > 0 && this.followPackages('alert');
    if (reread) judged = examine();
    const { f, facts, hits } = judged;
    let verdict: Verdict = r.verdict === 1 ? 'denied' : 'allowed';
    const byInstaller = r.reason === DENY_REASON.installer;
    if (verdict === 'denied' && hits.length === 0)
      // the allow-set was built from the last read: a file changed since (new inode or ctime) is no longer in it
      hits.push({
        id: 'BH-W-009',
        message: reread
          ? `${path} was denied before watch re-read the package databases: ${f.owner === undefined ? 'the host profile lists it' : `it matches package ${f.owner.package}'s new digest`} (a package upgrade in progress; the next exec is allowed)`
          : `${path} is not in the host allow-set (changed since the allow-set was built)`,
      });
    const now = Date.now();
    const last = this.lastExec.get(r.pid);
    this.lastExec.delete(r.pid);
    this.lastExec.set(r.pid, { cmdline: r.cmdline, ino: r.ino, at: now });
    for (const [pid, e] of this.lastExec) {
      if (now - e.at < SAME_EXECVE_MS) break;
      this.lastExec.delete(pid);
    }
    if (
      verdict === 'allowed' &&
      hits.length === 0 &&
      last !== undefined &&
      last.cmdline === r.cmdline &&
      last.ino !== r.ino &&
      now - last.at < SAME_EXECVE_MS
    )
      return undefined;
    if (verdict === 'allowed' && hits.length > 0 && this.options.mode !== 'learn') verdict = 'alerted';
    if (this.options.mode === 'learn' && this.learned !== undefined && r.verdict !== 1) {
      this.learned = learnHostExec(
        this.learned,
        {
          exe: path,
          sha256: f.sha256,
          uid: r.uid,
          parent: r.parent,
          package:
            f.owner === undefined
              ? undefined
              : { manager: f.owner.manager, name: f.owner.package, verified: f.verified ?? null },
        },
        new Date(),
      );
      this.dirty = true;
    }
    const first = hits[0];
    return {
      ...base,
      kind: 'exec',
      pid: r.pid,
      ppid: r.ppid,
      exe: path,
      path,
      argv: [...facts.argv],
      uid: r.uid,
      verdict,
      ruleId: first?.id ?? null,
      rules: hits.map((h) => h.id),
      profileVersion: this.enforced?.version ?? null,
      message:
        first === undefined
          ? ''
          : byInstaller
            ? `${first.message} (run by the package manager during an install: allowed)`
            : first.message,
      detail: {
        scope: 'host',
        ...(byInstaller ? { runByPackageManager: true } : {}),
        timeNs: r.timeNs,
        parent: r.parent ?? null,
        ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }),
        package:
          f.owner === undefined
            ? null
            : { name: f.owner.package, manager: f.owner.manager, verified: f.verified ?? null },
        ...(r.verdictNs === undefined ? {} : { verdictUs: r.verdictNs / 1000 }),
      },
      latencyUs: (Number(process.hrtime.bigint()) - r.timeNs) / 1000,
    };
  }

  status(): HostStatus {
    return {
      filesystems: this.filesystems,
      mode: this.options.mode,
      profileVersion: this.enforced?.version ?? null,
      profileError: this.error,
      packages: this.index.sources,
      packageRereads: this.packageRereads,
      packagesReadAt: this.packagesReadAt,
      allowed: this.allowedKeys,
    };
  }
}
