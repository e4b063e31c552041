// BH-DF-066: replacing /bin/sh with a symlink (hadolint DL4005): it changes the shell of every later RUN and of the
// running container in a way nobody sees; SHELL does it explicitly and only for the build.
import { argTexts, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-066',
    aliases: ['DL4005'],
    severity: 'low',
    title: '/bin/sh replaced with ln',
    rationale:
      "`ln -s /bin/bash /bin/sh` swaps the system shell for every script in the image, including the package manager's maintainer scripts, to get Bash features in RUN.",
    remediation: 'Use `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL4005'],
    docsUrl: 'docs/rules/lint.md#bh-df-066',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'ln') continue;
      const targets = argTexts(command).filter((a) => !a.startsWith('-'));
      if (targets[targets.length - 1] === '/bin/sh')
        report({ instruction, command, message: `ln replaces /bin/sh with ${targets[0] ?? ''}` });
    }
  },
  cases: {
    valid: ['FROM debian\nRUN ln -s /usr/bin/python3 /usr/bin/python'],
    invalid: [
      {
        code: 'FROM debian\nRUN ln -sf /bin/bash /bin/sh',
        errors: [{ line: 2, column: 5, message: 'ln replaces /bin/sh with /bin/bash' }],
      },
    ],
  },
});
