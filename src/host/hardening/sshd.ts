// sshd's effective configuration as sshd reads it (sshd_config(5)): keywords are case-insensitive, the FIRST
// obtained value of a keyword wins, `Include` expands globs in place (relative paths under /etc/ssh), and a `Match`
// block lasts until the next Match or the end of the file that opened it (OpenSSH servconf.c restores the match
// state after an Include).
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { SshdConfig } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

export const SSHD_CONFIG = '/etc/ssh/sshd_config';

/** OpenSSH 9.x compiled-in defaults for the keywords the host rules judge. */
export const SSHD_DEFAULTS: Readonly<Record<string, string>> = {
  permitrootlogin: 'prohibit-password',
  passwordauthentication: 'yes',
  permitemptypasswords: 'no',
  x11forwarding: 'no',
  allowagentforwarding: 'yes',
  kbdinteractiveauthentication: 'yes',
};

/** Include depth sshd allows (READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;

type Setting = SshdConfig['global'][string];
type MatchBlock = SshdConfig['matches'][number];

/** Splits an sshd_config line into keyword and arguments ("Keyword value", "Keyword=value", quotes). */
export function splitSshdLine(line: string): { keyword: string; args: string[] } | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const match = /^([A-Za-z0-9]+)\s*(?:=\s*|\s+)(.*)$/.exec(trimmed) ?? /^([A-Za-z0-9]+)$/.exec(trimmed);
  if (match === null) return undefined;
  const rest = match[2] ?? '';
  const args: string[] = [];
  for (const m of rest.matchAll(/"([^"]*)"|(\S+)/g)) {
    const arg = m[1] ?? m[2] ?? '';
    if (arg.startsWith('#')) break;
    args.push(arg);
  }
  return { keyword: (match[1] ?? '').toLowerCase(), args };
}

/** Expands an Include argument to files under the root, sorted as glob(3) returns them. */
function expandInclude(fs: RootFs, pattern: string): string[] {
  const absolute = pattern.startsWith('/') ? pattern : posix.join('/etc/ssh', pattern);
  if (!/[*?[]/.test(absolute)) return fs.exists(absolute) ? [absolute] : [];
  const dir = posix.dirname(absolute);
  const isMatch = picomatch(posix.basename(absolute), { dot: false });
  return (fs.list(dir) ?? []).filter((name) => isMatch(name)).map((name) => posix.join(dir, name));
}

export function readSshdConfig(fs: RootFs, path = SSHD_CONFIG): SshdConfig | undefined {
  if (fs.readIfExists(path) === undefined) return undefined;
  const global: Record<string, Setting> = {};
  const matches: MatchBlock[] = [];
  const files: string[] = [];

  const parseFile = (file: string, depth: number, activeMatch: MatchBlock | undefined): void => {
    const text = fs.readIfExists(file);
    if (text === undefined || depth > MAX_DEPTH) return;
    files.push(file);
    let current = activeMatch;
    text.split('\n').forEach((raw, index) => {
      const parsed = splitSshdLine(raw);
      if (parsed === undefined) return;
      const at = { file, line: index + 1 };
      if (parsed.keyword === 'match') {
        const criteria = parsed.args.join(' ');
        // "Match all" returns to the global scope for what follows (sshd_config(5))
        current = criteria.toLowerCase() === 'all' ? undefined : { criteria, at, settings: {} };
        if (current !== undefined) matches.push(current);
        return;
      }
      if (parsed.keyword === 'include') {
        for (const arg of parsed.args)
          for (const included of expandInclude(fs, arg)) parseFile(included, depth + 1, current);
        return;
      }
      const target = current === undefined ? global : current.settings;
      if (target[parsed.keyword] !== undefined) return; // the first obtained value wins
      target[parsed.keyword] = { value: parsed.args.join(' '), at, isDefault: false };
    });
  };
  parseFile(path, 0, undefined);

  for (const [keyword, value] of Object.entries(SSHD_DEFAULTS)) {
    global[keyword] ??= { value, at: { file: `sshd default (${keyword})` }, isDefault: true };
  }
  return { global, matches, files };
}
