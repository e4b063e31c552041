// BH-DF-029: more than one CMD in a stage (DL4003, Trivy DS-0016); only the last one takes effect.
import { lintStages } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-029',
    aliases: ['DL4003', 'DS-0016'],
    severity: 'low',
    title: 'Multiple CMD instructions in a stage',
    rationale:
      'A stage has more than one CMD. Only the last one takes effect, so the earlier ones mislead readers about what the image does. Different stages may each have their own.',
    remediation: 'Keep one CMD per stage.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL4003',
      'https://avd.aquasec.com/misconfig/ds016',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-029',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      const found = stage.instructions.filter((i) => i.keyword === 'CMD');
      for (const extra of found.slice(1))
        report({
          instruction: extra,
          message: `CMD repeated in stage ${stage.name ?? String(stage.index)} (line ${String(found[0]?.line)} is overridden)`,
        });
    }
  },
  cases: {
    valid: ['FROM alpine\nCMD ["a"]', 'FROM alpine AS a\nCMD ["a"]\nFROM alpine\nCMD ["b"]'],
    invalid: [
      {
        code: 'FROM alpine\nCMD ["a"]\nCMD ["b"]',
        errors: [{ line: 3, column: 1, message: 'CMD repeated in stage 0 (line 2 is overridden)' }],
      },
    ],
  },
});
