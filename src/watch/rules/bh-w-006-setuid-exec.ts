// BH-W-006: a setuid or setgid program executed in a container: the privilege change that local
// root exploits ride on (NeuVector "privilege escalation").
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-006',
    aliases: ['NeuVector: Privilege escalation'],
    severity: 'medium',
    title: 'Setuid or setgid program executed',
    rationale:
      "A setuid program runs with its owner's identity; in a container that is nearly always root and nearly never needed.",
    remediation:
      'Run with --security-opt no-new-privileges and remove setuid bits in the image (`bulkhead scan` lists them).',
    references: ['https://docs.docker.com/engine/reference/run/#security-configuration'],
    docsUrl: docsUrl('BH-W-006'),
  },
  check: (f) => (f.kind === 'exec' && f.setid ? `${f.exe} has the setuid or setgid bit` : undefined),
  cases: [
    { name: 'plain', input: {}, expect: false },
    { name: 'setuid', input: { setid: true, path: '/bin/su', exe: '/bin/su' }, expect: true },
  ],
};
