// BH-DF-045: useradd with a 6+ digit UID and without -l/--no-log-init (hadolint DL3046): /var/log/lastlog and
// faillog are sparse files indexed by UID, and overlay filesystems store them fully, adding gigabytes to the layer.
import { optionValue, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-045',
    aliases: ['DL3046'],
    severity: 'low',
    title: 'useradd with a high UID without -l',
    rationale:
      '`useradd -u <large uid>` without `-l` (`--no-log-init`) writes lastlog/faillog entries at offset uid*record size. The sparse file becomes a huge layer. hadolint and this rule flag UIDs of six or more digits.',
    remediation: 'Add `-l`: `useradd -l -u 100000 app`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3046',
      'https://github.com/moby/moby/issues/5419',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-045',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'useradd') continue;
      const uid = optionValue(command, ['-u', '--uid']);
      const noLog = command.args.some(
        (a) => a.text === '-l' || a.text === '--no-log-init' || /^-[a-zA-Z]*l[a-zA-Z]*$/.test(a.text),
      );
      if (uid !== undefined && /^\d{6,}$/.test(uid) && !noLog)
        report({ instruction, command, message: `useradd -u ${uid} without -l` });
    }
  },
  cases: {
    valid: ['FROM debian\nRUN useradd -l -u 100000 app', 'FROM debian\nRUN useradd -u 1000 app'],
    invalid: [
      {
        code: 'FROM debian\nRUN useradd -u 123456 app',
        errors: [{ line: 2, column: 5, message: 'useradd -u 123456 without -l' }],
      },
    ],
  },
});
