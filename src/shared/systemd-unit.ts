// Unit files for every `install` command (authz, watch, server, agent): one renderer and the quoting systemd's
// parser expects (systemd.service(5) "Command lines", systemd.unit(5) "Specifiers", systemd.syntax(7) "Quoting"),
// plus the writer that puts every file of an install in place or none. Printing is the CLI's; this only builds text.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BulkheadError, UsageError, errnoCode } from './errors.js';

/** One `Key=value` line; an undefined value leaves the line out (an optional directive); key `#` is a comment. */
export type UnitLine = readonly [key: string, value: string | undefined];

/** Sections in the order they are written: [Unit], [Service] or [Timer], [Install]. */
export type UnitSections = readonly (readonly [section: string, lines: readonly UnitLine[]])[];

// characters that need no quotes in a command line or a path list; "%" (a specifier) and "$" (a variable in
// command lines) are never in it
const PLAIN = /^[A-Za-z0-9_./:=@+,-]+$/;

/** Whether `value` holds a C0 control character or DEL (a newline, a tab, an escape). */
export function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function refuseControl(value: string, what: string): void {
  // a newline would end the directive and start a new one: a unit can be injected through any value
  if (hasControl(value)) {
    throw new UsageError(`${what} ${JSON.stringify(value)} contains a control character`, {
      hint: 'pass the value without newlines, tabs or other control characters',
    });
  }
}

/** "%" introduces a specifier everywhere systemd expands them (ExecStart=, paths, Description=): "%%" is one "%". */
const escapeSpecifiers = (value: string): string => value.replace(/%/g, '%%');

/** A word in a path list (ReadWritePaths=, StateDirectory=): quoted when needed, specifiers escaped. */
export function quoteWord(value: string, what = 'value'): string {
  refuseControl(value, what);
  const escaped = escapeSpecifiers(value);
  return PLAIN.test(value) ? escaped : `"${escaped.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * A command line for ExecStart= and friends: each argument one word, quoted when needed, "%" written "%%".
 * systemd substitutes `$NAME` and `${NAME}` in the arguments, so there "$" is written "$$"; the executable path gets
 * no substitution (a "$$" would stay two) and may hold no quote or backslash at all ("Executable name contains
 * special characters", systemd 252), so such a path is refused.
 */
export function execLine(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (program === undefined) throw new UsageError('a unit needs a command to start');
  refuseControl(program, 'the command');
  if (/["'\\]/.test(program))
    throw new UsageError(
      `the command ${program} has a quote or a backslash, which systemd refuses in a path`,
      {
        subject: program,
        hint: 'install bulkhead (or node) under a path without quotes and backslashes, or pass --bin',
      },
    );
  return [
    quoteWord(program),
    ...args.map((arg) => {
      refuseControl(arg, 'an argument');
      // an empty argument must still be a word
      return arg === '' ? '""' : quoteWord(arg).replace(/\$/g, '$$$$');
    }),
  ].join(' ');
}

/** A free-text value (Description=): specifiers escaped, one line. */
export function textValue(value: string, what = 'text'): string {
  refuseControl(value, what);
  return escapeSpecifiers(value);
}

/**
 * The sandbox every bulkhead service of `server install` / `agent install` shares (systemd.exec(5) "Sandboxing",
 * "System Call Filtering"): a read-only system, no devices, kernel tunables/logs/cgroups/clock/hostname protected,
 * no new namespaces, realtime or set-uid files, native system calls of @system-service only, and IP + unix sockets.
 * Not MemoryDenyWriteExecute=: node's JIT needs writable+executable pages. `homeRead` keeps /home etc. readable for
 * a node or bulkhead installed there (nvm); each unit adds what its own job allows beyond this.
 */
export function serviceSandbox(homeRead: boolean): UnitLine[] {
  return [
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', homeRead ? 'read-only' : 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['ProtectClock', 'yes'],
    ['ProtectHostname', 'yes'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictRealtime', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['SystemCallArchitectures', 'native'],
    ['SystemCallFilter', '@system-service'],
    ['SystemCallErrorNumber', 'EPERM'],
    ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6'],
  ];
}

/** The unit file: sections in order, `Key=value` lines, a blank line between sections, a final newline. */
export function renderUnit(sections: UnitSections): string {
  const out: string[] = [];
  for (const [section, lines] of sections) {
    if (out.length > 0) out.push('');
    out.push(`[${section}]`);
    for (const [key, value] of lines) {
      if (value === undefined) continue;
      if (key === '#') {
        // systemd.syntax(7): a line starting with "#" is a comment; a control character would end it early
        refuseControl(value, 'a comment');
        out.push(`# ${value}`);
        continue;
      }
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`not a unit directive name: ${key}`);
      refuseControl(value, key);
      out.push(`${key}=${value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** ProtectHome=yes hides /home, /root and /run/user: a node or bulkhead installed there (nvm) could not start. */
export function underHome(path: string): boolean {
  return /^\/(home|root|run\/user)(\/|$)/.test(path);
}

/** The directory a file lives in ("/" for a file at the top). */
export function parentDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** systemd time span from milliseconds, in the largest unit that divides it (3600000 -> "1h", 90000 -> "90s"). */
export function timeSpan(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** A file an install prints (under `# NAME`) or writes into `--write DIR`. */
export interface InstallArtefact {
  readonly name: string;
  readonly text: string;
  /** 0o644 unless it holds a secret. */
  readonly mode?: number;
  /** Where it is written when not into `--write DIR` (an environment file under /etc). */
  readonly path?: string;
}

/** What an `install` command prints or writes, and what to run next (for stderr). */
export interface InstallResult {
  readonly files: readonly InstallArtefact[];
  readonly next: readonly string[];
}

export interface InstallFile {
  readonly path: string;
  readonly text: string;
  /** 0o644 unless the file holds a secret. */
  readonly mode?: number;
}

/** Writes every file or none: each goes to a temporary name in its directory first, then all are renamed. */
export function writeAll(files: readonly InstallFile[], hint: string): void {
  const staged: { tmp: string; path: string }[] = [];
  let at = '';
  try {
    for (const f of files) {
      at = f.path;
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(dirname(f.path), `.${randomBytes(6).toString('hex')}.tmp`);
      staged.push({ tmp, path: f.path });
      writeFileSync(tmp, f.text, { mode: f.mode ?? 0o644, flag: 'wx' });
    }
  } catch (error) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw new BulkheadError(
      'USAGE',
      `cannot write ${at} (${errnoCode(error) ?? 'error'}); nothing was written`,
      { subject: at, hint, cause: error },
    );
  }
  for (const s of staged) renameSync(s.tmp, s.path);
}
