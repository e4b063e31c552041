// BH-IMG-001 (formerly BH-I-001) over the images in use: the one root-user rule of src/scan/rules (CIS 1.6.0 and
// 1.8.0 section 4.1), its metadata and judgement applied to Config.User from the Engine API (no /etc/passwd).
import { meta, judgeImageUser } from '../../../scan/rules/bh-img-001-root-user.js';
import { checkImages } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { ID, withImage } from '../../cases/image.js';
import { buildFacts, container, image } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  withImage('root image fails', 'busybox:latest', image(ID), 'fail', ['Config.User=""']),
  withImage('USER 0:0 fails', 'app:0', image(ID, { Config: { User: '0:0' } }), 'fail'),
  withImage('USER root fails', 'app:r', image(ID, { Config: { User: 'root' } }), 'fail'),
  withImage('USER 1000 passes', 'app:1', image(ID, { Config: { User: '1000' } }), 'pass'),
  withImage(
    'USER app passes (no /etc/passwd over the Engine API)',
    'app:2',
    image(ID, { Config: { User: 'app' } }),
    'pass',
  ),
  {
    name: 'image removed while in use skips',
    facts: buildFacts({
      containers: [container('web', {}, { Image: ID, Config: { Image: 'gone:1' } })],
      images: [],
    }),
    expect: [{ target: 'gone:1', outcome: 'skip' }],
  },
];

export const rule: AuditRule = {
  meta,
  area: 'image',
  needs: 'engine',
  check: checkImages((image) => {
    const { outcome, message, evidence } = judgeImageUser(image.inspect?.Config?.User ?? '', null);
    return outcome.kind === 'pass' || outcome.kind === 'fail'
      ? { kind: outcome.kind, message, evidence }
      : { kind: outcome.kind, reason: outcome.reason, evidence };
  }),
  cases,
};
