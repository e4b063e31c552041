// Reads /etc/passwd and /etc/group (passwd(5), group(5)) to name file owners and list docker group members.
import type { RootFs } from './root-fs.js';

export interface Accounts {
  readonly users: ReadonlyMap<number, string>;
  readonly groups: ReadonlyMap<number, { readonly name: string; readonly members: readonly string[] }>;
  /** User name -> primary gid, from /etc/passwd. */
  readonly primaryGroups: ReadonlyMap<string, number>;
}

/** Colon-separated records whose id field (index `idField`) is a number. */
function records(text: string | undefined, idField: number): { fields: string[]; id: number }[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const fields = line.split(':');
    const id = fields[idField];
    return fields[0] === undefined || fields[0] === '' || id === undefined || !/^\d+$/.test(id)
      ? []
      : [{ fields, id: Number(id) }];
  });
}

export function readAccounts(fs: RootFs): Accounts {
  const users = new Map<number, string>();
  const primaryGroups = new Map<string, number>();
  for (const { fields, id } of records(fs.readIfExists('/etc/passwd'), 2)) {
    const name = fields[0] ?? '';
    if (!users.has(id)) users.set(id, name);
    const gid = fields[3];
    if (gid !== undefined && /^\d+$/.test(gid)) primaryGroups.set(name, Number(gid));
  }
  const groups = new Map<number, { name: string; members: string[] }>();
  for (const { fields, id } of records(fs.readIfExists('/etc/group'), 2)) {
    if (groups.has(id)) continue;
    const members = (fields[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    groups.set(id, { name: fields[0] ?? '', members });
  }
  return { users, groups, primaryGroups };
}

/** A group's gid and members: those listed in /etc/group plus users whose primary group it is. */
export function findGroup(
  accounts: Accounts,
  name: string,
): { gid: number; members: readonly string[] } | undefined {
  for (const [gid, group] of accounts.groups) {
    if (group.name !== name) continue;
    const primary = [...accounts.primaryGroups]
      .filter(([user, g]) => g === gid && !group.members.includes(user))
      .map(([user]) => user);
    return { gid, members: [...group.members, ...primary] };
  }
  return undefined;
}
