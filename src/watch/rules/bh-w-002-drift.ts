// BH-W-002: executing a file created or modified inside the container, decided by its inode living in the
// container's UpperDir (Falco "Drop and execute new binary in container", NeuVector zero-drift).
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-002',
    aliases: ['Drop and execute new binary in container', 'NeuVector: zero-drift'],
    severity: 'critical',
    title: 'Binary created or modified in the container was executed (drift)',
    rationale:
      'Images are immutable: a program that is not in any image layer was downloaded or written after start, which is how most post-exploitation tooling arrives.',
    remediation:
      'Rebuild the image with the program in it; run containers with --read-only so nothing can be written to execute.',
    references: ['https://falco.org/docs/reference/rules/default-rules/'],
    docsUrl: docsUrl('BH-W-002'),
  },
  check: (f) =>
    f.kind === 'exec' && f.drift ? `${f.path} was created or modified inside the container` : undefined,
  cases: [
    { name: 'image binary', input: {}, expect: false },
    { name: 'copied to /tmp', input: { drift: true, path: '/tmp/x', exe: '/tmp/x' }, expect: true },
  ],
};
