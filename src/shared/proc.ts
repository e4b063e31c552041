// Reads of another process's /proc entries that more than one stage makes. `procRoot` is /proc, or a fixture tree.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The fields of /proc/PID/stat after the command name: [0] is the state (field 3), [1] the ppid, [19] the start
 * time (field 22). The name may hold spaces and parentheses, so they are counted from the last ")". undefined when
 * the process is gone or unreadable.
 */
export function procStatFields(pid: number | string, procRoot = '/proc'): string[] | undefined {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The socket inodes a process holds open (its /proc/PID/fd links `socket:[N]`); undefined when unreadable. */
export function socketInodes(pid: number | string, procRoot = '/proc'): Set<string> | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`${procRoot}/${pid}/fd`);
  } catch {
    return undefined;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${procRoot}/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}
