// Maps a process's /proc/<pid>/cgroup text to the container it runs in (cgroups(7) file format
// "hierarchy-ID:controller-list:path"); knows the path forms of dockerd (cgroupfs and systemd drivers),
// containerd/CRI and Kubernetes (kubepods, cgroup v1 and v2), so a container id is found on any of them.

/** Which runtime layout a cgroup path came from (for diagnostics and the fixtures). */
export type CgroupForm =
  'docker-cgroupfs' | 'docker-systemd' | 'containerd-systemd' | 'crio-systemd' | 'kubepods' | 'libpod';

export interface CgroupOwner {
  /** The 64-hex container id. */
  readonly containerId: string;
  readonly form: CgroupForm;
}

const ID = '([0-9a-f]{64})';
// most specific first: a kubepods path also ends in one of the runtime forms
const FORMS: readonly (readonly [CgroupForm, RegExp])[] = [
  [
    'kubepods',
    new RegExp(`/kubepods[^\\n]*?(?:/|-|:)(?:docker-|cri-containerd[-:]|crio-)?${ID}(?:\\.scope)?$`),
  ],
  ['docker-systemd', new RegExp(`/docker-${ID}\\.scope$`)],
  ['containerd-systemd', new RegExp(`/cri-containerd-${ID}\\.scope$`)],
  ['crio-systemd', new RegExp(`/crio-${ID}\\.scope$`)],
  ['libpod', new RegExp(`/libpod-${ID}\\.scope(?:/container)?$`)],
  ['docker-cgroupfs', new RegExp(`/docker/${ID}$`)],
];

/** The container of one cgroup path (the third field of a /proc/<pid>/cgroup line), if it names one. */
export function parseCgroupPath(path: string): CgroupOwner | undefined {
  for (const [form, pattern] of FORMS) {
    const match = pattern.exec(path);
    const id = match?.[1];
    if (id !== undefined) return { containerId: id, form };
  }
  return undefined;
}

/**
 * The container of a whole /proc/<pid>/cgroup file. On a v1/v2 hybrid every line should agree; the unified
 * line (0::) wins when present because it is the one a v2-only host has, then the first controller line.
 */
export function parseProcCgroup(text: string): CgroupOwner | undefined {
  let first: CgroupOwner | undefined;
  for (const line of text.split('\n')) {
    const firstColon = line.indexOf(':');
    const secondColon = line.indexOf(':', firstColon + 1);
    if (firstColon < 0 || secondColon < 0) continue;
    const owner = parseCgroupPath(line.slice(secondColon + 1).trim());
    if (owner === undefined) continue;
    if (line.startsWith('0::')) return owner;
    first ??= owner;
  }
  return first;
}
