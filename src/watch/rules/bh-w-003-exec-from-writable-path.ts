// BH-W-003: exec from /tmp, /var/tmp, /dev/shm or a volume (Falco "Execution from /dev/shm"): places an
// attacker can write to, and volumes are a different filesystem that the exec gate's mark does not cover.
import { docsUrl, type WatchRule } from '../rule.js';

const SCRATCH = ['/tmp/', '/var/tmp/', '/dev/shm/'];

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-003',
    aliases: ['Execution from /dev/shm'],
    severity: 'high',
    title: 'Program executed from /tmp, /dev/shm or a volume',
    rationale:
      'Scratch directories and volumes are writable at run time; programs run from them did not come from the image.',
    remediation:
      'Mount scratch space and volumes noexec (--tmpfs /tmp:noexec, -v src:dst:noexec is not available for volumes: use read-only volumes).',
    references: ['https://falco.org/docs/reference/rules/default-rules/'],
    docsUrl: docsUrl('BH-W-003'),
  },
  check: (f) => {
    if (f.kind !== 'exec') return undefined;
    for (const file of [f.path, f.exe]) {
      if (SCRATCH.some((dir) => file.startsWith(dir))) return `${file} was executed from a scratch directory`;
      const volume = f.volumes.find((v) => v !== '/' && (file === v || file.startsWith(`${v}/`)));
      if (volume !== undefined) return `${file} was executed from the volume mounted at ${volume}`;
    }
    return undefined;
  },
  cases: [
    { name: 'image path', input: {}, expect: false },
    { name: '/tmp', input: { path: '/tmp/x', exe: '/tmp/x' }, expect: true },
    { name: '/dev/shm', input: { path: '/dev/shm/a', exe: '/dev/shm/a' }, expect: true },
    {
      name: 'a volume',
      input: { path: '/data/run.sh', exe: '/data/run.sh', volumes: ['/data'] },
      expect: true,
    },
    {
      name: 'a sibling of a volume',
      input: { path: '/database/x', exe: '/database/x', volumes: ['/data'] },
      expect: false,
    },
  ],
};
