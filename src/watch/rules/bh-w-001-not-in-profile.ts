// BH-W-001: an executable that the image's enforced profile does not list (NeuVector "process profile
// violation", Prisma's per-image model): the core of learned allow-listing.
import { docsUrl, type WatchRule } from '../rule.js';

export const rule: WatchRule = {
  meta: {
    id: 'BH-W-001',
    aliases: ['NeuVector: Process profile violation'],
    severity: 'high',
    title: 'Process not in the image profile',
    rationale:
      'A container runs the same few programs for its whole life; anything else is an attacker, an operator by hand, or a new release whose profile was not promoted.',
    remediation:
      'If the program is legitimate, learn it (`bulkhead watch --mode learn`) and promote the profile after reading `bulkhead watch profile diff`.',
    references: ['https://open-docs.neuvector.com/policy/processrules'],
    docsUrl: docsUrl('BH-W-001'),
  },
  check: (f) =>
    f.kind === 'exec' && f.inProfile === false
      ? `${f.path} is not in the image's process profile`
      : undefined,
  cases: [
    { name: 'in profile', input: {}, expect: false },
    { name: 'not in profile', input: { inProfile: false, path: '/bin/ls' }, expect: true },
    { name: 'no profile yet', input: { inProfile: undefined }, expect: false },
  ],
};
