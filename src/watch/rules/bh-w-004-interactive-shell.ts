// BH-W-004: a shell started with a terminal in a running container (Falco "Terminal shell in container"):
// `docker exec -it c sh` is how people, and attackers with API access, get a prompt.
import { basename, docsUrl, type WatchRule } from '../rule.js';

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'busybox']);

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-004',
    aliases: ['Terminal shell in container'],
    severity: 'medium',
    title: 'Interactive shell in a container',
    rationale:
      'Production containers do not need a human at a prompt; a terminal shell is manual change, debugging that leaves drift behind, or an intruder.',
    remediation:
      'Use `docker debug`-style ephemeral tooling or logs instead; restrict exec through `bulkhead authz`.',
    references: ['https://falco.org/docs/reference/rules/default-rules/'],
    docsUrl: docsUrl('BH-W-004'),
  },
  check: (f) => {
    if (f.kind !== 'exec' || !f.tty) return undefined;
    const name = basename(f.path);
    const applet = name === 'busybox' ? (f.argv[1] ?? '') : name;
    return SHELLS.has(applet) && applet !== 'busybox' ? `${f.path} started with a terminal` : undefined;
  },
  cases: [
    { name: 'no terminal', input: { path: '/bin/sh' }, expect: false },
    { name: 'sh with a terminal', input: { path: '/bin/sh', tty: true }, expect: true },
    {
      name: 'busybox sh with a terminal',
      input: { path: '/bin/busybox', argv: ['busybox', 'sh'], tty: true },
      expect: true,
    },
    { name: 'ls with a terminal', input: { path: '/bin/ls', tty: true }, expect: false },
  ],
};
