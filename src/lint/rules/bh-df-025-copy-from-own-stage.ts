// BH-DF-025: COPY --from names the stage it is in (hadolint DL3023, Trivy DS-0006); BuildKit reports a cycle.
import { lintStages } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-025',
    aliases: ['DL3023', 'DS-0006'],
    severity: 'medium',
    title: 'COPY --from references its own stage',
    rationale:
      '`COPY --from=<name>` names the stage the instruction is in. A stage cannot copy from itself: the build fails with a circular dependency.',
    remediation: 'Copy from an earlier stage, or use plain COPY from the build context.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3023',
      'https://avd.aquasec.com/misconfig/ds006',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-025',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      for (const instruction of stage.instructions) {
        const flag =
          instruction.keyword === 'COPY' ? instruction.flags.find((f) => f.name === 'from') : undefined;
        const from = flag?.value;
        if (flag === undefined || from === undefined || from === null) continue;
        if ((stage.name !== null && from.toLowerCase() === stage.name) || from === String(stage.index))
          report({
            instruction,
            at: { line: flag.line, column: flag.column },
            message: `COPY --from=${from} copies from its own stage`,
          });
      }
    }
  },
  cases: {
    valid: ['FROM alpine AS a\nRUN touch /x\nFROM alpine AS b\nCOPY --from=a /x /x'],
    invalid: [
      {
        code: 'FROM alpine AS a\nCOPY --from=a /x /y',
        errors: [{ line: 2, column: 6, message: 'COPY --from=a copies from its own stage' }],
      },
      {
        code: 'FROM alpine\nCOPY --from=0 /x /y',
        errors: [{ line: 2, column: 6, message: 'COPY --from=0 copies from its own stage' }],
      },
    ],
  },
});
