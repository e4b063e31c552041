// Reads /etc/passwd and /etc/group (passwd(5), group(5)) to name file owners and list docker group members.
import type { RootFs } from './root-fs.js';

export interface Accounts {
  readonly users: ReadonlyMap<number, string>;
  readonly groups: ReadonlyMap<number, { readonly name: string; readonly members: readonly string[] }>;
}

export function readAccounts(fs: RootFs): Accounts {
  const users = new Map<number, string>();
  for (const line of (fs.readIfExists('/etc/passwd') ?? '').split('\n')) {
    const [name, , uid] = line.split(':');
    if (
      name !== undefined &&
      name !== '' &&
      uid !== undefined &&
      /^\d+$/.test(uid) &&
      !users.has(Number(uid))
    )
      users.set(Number(uid), name);
  }
  const groups = new Map<number, { name: string; members: string[] }>();
  for (const line of (fs.readIfExists('/etc/group') ?? '').split('\n')) {
    const [name, , gid, members = ''] = line.split(':');
    if (
      name !== undefined &&
      name !== '' &&
      gid !== undefined &&
      /^\d+$/.test(gid) &&
      !groups.has(Number(gid))
    ) {
      groups.set(Number(gid), {
        name,
        members: members
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      });
    }
  }
  return { users, groups };
}

export function findGroup(
  accounts: Accounts,
  name: string,
): { gid: number; members: readonly string[] } | undefined {
  for (const [gid, group] of accounts.groups) if (group.name === name) return { gid, members: group.members };
  return undefined;
}
