// BH-DF-035: MAINTAINER is deprecated (hadolint DL4000, Trivy DS-0022).
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-035',
    aliases: ['DL4000', 'DS-0022', 'CKV_DOCKER_6'],
    severity: 'info',
    title: 'MAINTAINER is deprecated',
    rationale: 'MAINTAINER has been deprecated since Docker 1.13; tools read the author from labels.',
    remediation: 'Use `LABEL org.opencontainers.image.authors="name <email>"`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL4000',
      'https://docs.docker.com/reference/dockerfile/#maintainer-deprecated',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-035',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model))
      if (instruction.keyword === 'MAINTAINER') report({ instruction, message: 'MAINTAINER is deprecated' });
  },
  cases: {
    valid: ['FROM alpine\nLABEL org.opencontainers.image.authors="a@example.com"'],
    invalid: [
      {
        code: 'FROM alpine\nMAINTAINER a@example.com',
        errors: [{ line: 2, column: 1, message: 'MAINTAINER is deprecated' }],
      },
    ],
  },
});
