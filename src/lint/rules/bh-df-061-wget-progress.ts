// BH-DF-061: wget without a quiet or progress option (hadolint DL3047): its progress bar floods build logs.
import { argTexts, runCommands } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-061',
    aliases: ['DL3047'],
    severity: 'info',
    title: 'wget without --progress or -q',
    rationale:
      'wget prints a progress bar that fills build logs with megabytes of output in non-TTY builds. BusyBox wget prints little, but the same flags work there.',
    remediation: 'Use `wget -q`, `-nv` or `--progress=dot:giga`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3047'],
    docsUrl: 'docs/rules/lint.md#bh-df-061',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'wget') continue;
      const args = argTexts(command);
      const quiet = args.some(
        (a) =>
          a === '--quiet' ||
          a === '--no-verbose' ||
          a === '-nv' ||
          a.startsWith('--progress') ||
          a === '-o' ||
          a.startsWith('--output-file') ||
          a.startsWith('--append-output') ||
          a === '-a' ||
          /^-[a-zA-Z]*q/.test(a),
      );
      if (!quiet) report({ instruction, command, message: 'wget without -q/-nv/--progress' });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN wget -q https://x',
      'FROM alpine\nRUN wget -qO- https://x',
      'FROM alpine\nRUN wget --progress=dot:giga https://x',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN wget https://x',
        errors: [{ line: 2, column: 5, message: 'wget without -q/-nv/--progress' }],
      },
    ],
  },
});
