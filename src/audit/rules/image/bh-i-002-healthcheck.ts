// BH-I-002: images in use carry a HEALTHCHECK (CIS 1.6.0 4.6, 1.8.0 4.6).
import { checkImages, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { ID, withImage } from '../../cases/image.js';
import { image } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  withImage('no HEALTHCHECK fails', 'busybox:latest', image(ID), 'fail'),
  withImage(
    'HEALTHCHECK passes',
    'app:1',
    image(ID, { Config: { Healthcheck: { Test: ['CMD-SHELL', 'true'] } } }),
    'pass',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-I-002',
    aliases: ['CIS-1.6.0:4.6', 'CIS-1.8.0:4.6'],
    severity: 'info',
    title: 'Image has a HEALTHCHECK instruction',
    rationale:
      'A HEALTHCHECK in the image gives every container started from it a health check without extra flags.',
    remediation: 'Add HEALTHCHECK CMD ... to the Dockerfile.',
    references: ['https://docs.docker.com/engine/reference/builder/#healthcheck'],
    docsUrl: 'docs/rules/audit.md#bh-i-002',
  },
  area: 'image',
  needs: 'engine',
  check: checkImages((image) => {
    const test = image.inspect?.Config?.Healthcheck?.Test ?? [];
    return test.length === 0 || test[0] === 'NONE'
      ? fail('image has no HEALTHCHECK', ev('Config.Healthcheck.Test', test, 'a command'))
      : pass('image has a HEALTHCHECK', ev('Config.Healthcheck.Test', test));
  }),
  cases,
};
