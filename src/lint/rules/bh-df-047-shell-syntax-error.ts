// BH-DF-047: a RUN run by a POSIX shell does not parse as shell (mvdan/sh, Bash grammar): the build step fails, or
// the script does something else than it reads.
import { runInstructions } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-047',
    aliases: [],
    severity: 'medium',
    title: 'RUN is not valid shell',
    rationale:
      'The shell form of a RUN does not parse as shell (unterminated quote, stray `fi`, missing `done`). Parsed with the Bash grammar, a superset of POSIX sh, so Bash-only syntax is accepted; stages whose SHELL is PowerShell or cmd are skipped.',
    remediation: 'Fix the quoting or control structure; run the script through `sh -n` or shellcheck.',
    references: ['https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html'],
    docsUrl: 'docs/rules/lint.md#bh-df-047',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      if (instruction.shell?.kind === 'error') {
        report({
          instruction,
          at: instruction.scriptPosition(instruction.shell.line, instruction.shell.column),
          message: `shell syntax error: ${instruction.shell.message}`,
        });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN if [ -f x ]; then echo y; fi',
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN if ($true) { Write-Host "x" }',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN echo "unterminated',
        errors: [{ line: 2, column: 10, message: 'shell syntax error: reached EOF without closing quote "' }],
      },
      {
        code: 'FROM alpine\nRUN true && \\\n  if true; then echo x',
        errors: [{ line: 3, column: 3, message: 'shell syntax error: if statement must end with "fi"' }],
      },
    ],
  },
});
