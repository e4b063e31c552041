// BH-DF-060: consecutive RUN instructions that could be one (hadolint DL3059). Only RUNs with identical flags count
// (a different --mount is a reason to split), and only in the final stage, whose layers ship.
import { commandsOf, finalStage } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-060',
    aliases: ['DL3059'],
    severity: 'info',
    title: 'Consecutive RUN instructions',
    rationale:
      'Two RUN instructions follow each other in the final stage with the same flags. Each RUN adds a layer; files deleted in a later RUN still ship in the earlier layer. Builder stages are not reported: their layers never reach the image.',
    remediation: 'Join them with `&&` (or a heredoc), deleting temporary files in the same step.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3059',
      'https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-060',
  },
  check({ model, report }) {
    const stage = finalStage(model);
    if (stage === undefined) return;
    const flagsOf = (i: { flags: readonly { name: string; value: string | null }[] }): string =>
      JSON.stringify(i.flags.map((f) => [f.name, f.value]));
    stage.instructions.forEach((instruction, index) => {
      const previous = stage.instructions[index - 1];
      // As hadolint counts: a RUN that already chains commands (`a && b`, `a; b`) is a deliberate grouping, so only
      // two single-command RUNs in a row are worth merging.
      if (
        instruction.keyword === 'RUN' &&
        previous?.keyword === 'RUN' &&
        flagsOf(previous) === flagsOf(instruction) &&
        commandsOf(previous).length <= 1 &&
        commandsOf(instruction).length <= 1
      ) {
        report({ instruction, message: `RUN directly after the RUN on line ${String(previous.line)}` });
      }
    });
  },
  cases: {
    valid: [
      'FROM alpine\nRUN a && b',
      'FROM alpine AS b\nRUN a\nRUN b\nFROM alpine',
      'FROM alpine\nRUN a\nRUN --mount=type=cache,target=/x b',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN a\nRUN b',
        errors: [{ line: 3, column: 1, message: 'RUN directly after the RUN on line 2' }],
      },
    ],
  },
});
