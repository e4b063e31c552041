// BH-DF-070: zypper dist-upgrade in a Dockerfile (hadolint DL3035): it can switch the distribution release.
import { runCommands, subcommandOf } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-070',
    aliases: ['DL3035'],
    severity: 'info',
    title: 'zypper dist-upgrade',
    rationale:
      '`zypper dist-upgrade` (dup) may move the image to another distribution release and change or remove packages nobody reviewed.',
    remediation: 'Rebuild on an updated base image; use `zypper patch` or `zypper update` for fixes on top.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3035'],
    docsUrl: 'docs/rules/lint.md#bh-df-070',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'zypper') continue;
      const sub = subcommandOf(command, ['-r', '--repo', '--root', '-R']);
      if (sub === 'dist-upgrade' || sub === 'dup') report({ instruction, command, message: `zypper ${sub}` });
    }
  },
  cases: {
    valid: ['FROM opensuse/leap\nRUN zypper -n patch'],
    invalid: [
      {
        code: 'FROM opensuse/leap\nRUN zypper -n dup',
        errors: [{ line: 2, column: 5, message: 'zypper dup' }],
      },
    ],
  },
});
