// BH-DF-059: ONBUILD with FROM, MAINTAINER or ONBUILD as trigger (hadolint DL3043); BuildKit rejects them.
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-059',
    aliases: ['DL3043'],
    severity: 'high',
    title: 'Forbidden ONBUILD trigger',
    rationale:
      'ONBUILD cannot trigger FROM, MAINTAINER or another ONBUILD; the build fails ("ONBUILD ONBUILD isn\'t allowed").',
    remediation: 'Remove the trigger or move the instruction out of ONBUILD.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3043',
      'https://docs.docker.com/reference/dockerfile/#onbuild',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-059',
  },
  check({ model, report }) {
    for (const instruction of model.instructions) {
      const trigger = instruction.trigger;
      if (trigger !== null && ['FROM', 'MAINTAINER', 'ONBUILD'].includes(trigger.keyword))
        report({ instruction, message: `ONBUILD ${trigger.keyword} is not allowed` });
    }
  },
  cases: {
    valid: ['FROM alpine\nONBUILD COPY . /app'],
    invalid: [
      {
        code: 'FROM alpine\nONBUILD FROM debian',
        errors: [{ line: 2, column: 1, message: 'ONBUILD FROM is not allowed' }],
      },
    ],
  },
});
