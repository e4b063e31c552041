// BH-DF-015: `cd` as a separate step (hadolint DL3003, Trivy DS-0013). Reported only when cd is a standalone
// top-level command (not inside a subshell or `sh -c`), which is where WORKDIR would do the job.
import { runInstructions } from '../helpers.js';
import { commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-015',
    aliases: ['DL3003', 'DS-0013'],
    severity: 'info',
    title: 'cd instead of WORKDIR',
    rationale:
      'A RUN starts with `cd DIR && ...`. WORKDIR sets the directory for every following instruction and creates it; `cd` only lasts for one RUN, which makes later steps easy to misread. `cd` inside a loop or after other commands in the same RUN (build-from-source steps) is common practice and is not reported.',
    remediation: 'Use `WORKDIR /path` before the commands.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3003',
      'https://avd.aquasec.com/misconfig/ds013',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-015',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      const first = commandsOf(instruction).find(
        (c) => c.parent === undefined && c.program !== 'set' && c.wrapper === undefined,
      );
      if (
        first !== undefined &&
        first.compound !== true &&
        first.program === 'cd' &&
        first.args.length > 0 &&
        first.args[0]?.text !== '-'
      ) {
        report({
          instruction,
          command: first,
          message: `RUN starts with cd ${first.args[0]?.text ?? ''}; use WORKDIR`,
        });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nWORKDIR /app\nRUN make',
      'FROM alpine\nRUN curl -o x.tgz https://x && tar xf x.tgz && cd x && make',
      'FROM alpine\nRUN (cd /src && make)',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN cd /app && make',
        errors: [{ line: 2, column: 5, message: 'RUN starts with cd /app; use WORKDIR' }],
      },
      {
        code: 'FROM alpine\nRUN set -eux; cd /usr/src; make',
        errors: [{ line: 2, column: 15, message: 'RUN starts with cd /usr/src; use WORKDIR' }],
      },
    ],
  },
});
