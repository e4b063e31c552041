// BH-DF-050: a label key breaks Docker's key format recommendations or uses a reserved prefix (hadolint DL3048).
import { allInstructions } from '../model.js';
import { invalidLabelKey } from '../labels.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-050',
    aliases: ['DL3048'],
    severity: 'info',
    title: 'Invalid label key',
    rationale:
      'A LABEL key has characters outside letters, digits, ".", "-" and "_", starts or ends with a separator, repeats separators, or uses a prefix reserved by Docker (com.docker.*, io.docker.*, org.dockerproject.*). Tools that filter on labels then miss it.',
    remediation: 'Use reverse-DNS keys such as `org.opencontainers.image.title`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3048',
      'https://docs.docker.com/engine/manage-resources/labels/#key-format-recommendations',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-050',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'LABEL') continue;
      for (const p of instruction.properties) {
        const problem = p.name.includes('$') ? undefined : invalidLabelKey(p.name);
        if (problem !== undefined)
          report({
            instruction,
            at: { line: p.line, column: p.column },
            message: `label key "${p.name}" ${problem}`,
          });
      }
    }
  },
  cases: {
    valid: ['FROM alpine\nLABEL org.opencontainers.image.title=x maintainer=y'],
    invalid: [
      {
        code: 'FROM alpine\nLABEL com.docker.x=1',
        errors: [
          { line: 2, column: 7, message: 'label key "com.docker.x" uses a prefix reserved by Docker' },
        ],
      },
      {
        code: 'FROM alpine\nLABEL "my label"=1',
        errors: [
          {
            line: 2,
            column: 7,
            message:
              'label key "my label" must start with a letter, end with a letter or digit and contain only letters, digits, ".", "-" and "_"',
          },
        ],
      },
    ],
  },
});
