// Password states of the host's accounts from /etc/shadow (shadow(5)): only whether the password field is empty,
// locked ("!" or "*" prefix) or set is kept — the hash itself is never stored or printed.
import type { AccountStatus } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

export function parseShadowStatus(shadow: string, passwd = ''): AccountStatus[] {
  const shells = new Map<string, string>();
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 7 && fields[0] !== undefined && fields[6] !== undefined)
      shells.set(fields[0], fields[6].trim());
  }
  const out: AccountStatus[] = [];
  shadow.split('\n').forEach((line, index) => {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith('#')) return;
    const user = line.slice(0, colon);
    const end = line.indexOf(':', colon + 1);
    const field = end < 0 ? line.slice(colon + 1) : line.slice(colon + 1, end);
    const status =
      field === '' ? 'empty' : field.startsWith('!') || field.startsWith('*') ? 'locked' : 'password';
    const shell = shells.get(user);
    out.push({ user, status, line: index + 1, ...(shell === undefined ? {} : { shell }) });
  });
  return out;
}

export function readAccountStatus(fs: RootFs): { accounts: AccountStatus[] } | { reason: string } {
  const shadow = fs.read('/etc/shadow');
  if (!shadow.ok) return { reason: shadow.reason };
  return { accounts: parseShadowStatus(shadow.text, fs.readIfExists('/etc/passwd') ?? '') };
}
