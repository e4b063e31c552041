// BH-DF-020: `apt` in a script (hadolint DL3027); its CLI is not stable for scripts and warns so itself.
import { runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-020',
    aliases: ['DL3027', 'CKV_DOCKER_9'],
    severity: 'low',
    title: 'apt used instead of apt-get',
    rationale:
      '`apt` is meant for interactive use; its output and behaviour may change between releases ("WARNING: apt does not have a stable CLI interface"). Scripts should use apt-get or apt-cache.',
    remediation: 'Replace `apt` with `apt-get` (install, update, remove) or `apt-cache` (search, show).',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3027'],
    docsUrl: 'docs/rules/lint.md#bh-df-020',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.name === 'apt') report({ instruction, command, message: 'use apt-get instead of apt' });
    }
  },
  cases: {
    valid: ['FROM debian\nRUN apt-get install -y curl', 'FROM debian\nRUN apt-cache policy curl'],
    invalid: [
      {
        code: 'FROM debian\nRUN apt install -y curl',
        errors: [{ line: 2, column: 5, message: 'use apt-get instead of apt' }],
      },
    ],
  },
});
