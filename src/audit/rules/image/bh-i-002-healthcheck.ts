// BH-I-002: images in use carry a HEALTHCHECK (CIS 1.6.0 4.6, 1.8.0 4.6).
import { checkImages, ev, fail, pass } from '../../check.js';
import type { AuditRule } from '../../rule.js';

export const rule: AuditRule = {
  id: 'BH-I-002',
  area: 'image',
  cis: { v160: ['4.6'], v180: ['4.6'] },
  severity: 'info',
  title: 'Image has a HEALTHCHECK instruction',
  rationale:
    'A HEALTHCHECK in the image gives every container started from it a health check without extra flags.',
  remediation: 'Add HEALTHCHECK CMD ... to the Dockerfile.',
  references: ['https://docs.docker.com/engine/reference/builder/#healthcheck'],
  needs: 'engine',
  check: checkImages((image) => {
    const test = image.inspect?.Config?.Healthcheck?.Test ?? [];
    return test.length === 0 || test[0] === 'NONE'
      ? fail('image has no HEALTHCHECK', ev('Config.Healthcheck.Test', test, 'a command'))
      : pass('image has a HEALTHCHECK', ev('Config.Healthcheck.Test', test));
  }),
};
