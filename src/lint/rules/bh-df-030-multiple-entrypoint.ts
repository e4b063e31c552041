// BH-DF-030: more than one ENTRYPOINT in a stage (DL4004, Trivy DS-0007); only the last one takes effect.
import { lintStages } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-030',
    aliases: ['DL4004', 'DS-0007'],
    severity: 'low',
    title: 'Multiple ENTRYPOINT instructions in a stage',
    rationale:
      'A stage has more than one ENTRYPOINT. Only the last one takes effect, so the earlier ones mislead readers about what the image does. Different stages may each have their own.',
    remediation: 'Keep one ENTRYPOINT per stage.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL4004',
      'https://avd.aquasec.com/misconfig/ds007',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-030',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      const found = stage.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
      for (const extra of found.slice(1))
        report({
          instruction: extra,
          message: `ENTRYPOINT repeated in stage ${stage.name ?? String(stage.index)} (line ${String(found[0]?.line)} is overridden)`,
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nENTRYPOINT ["a"]',
      'FROM alpine AS a\nENTRYPOINT ["a"]\nFROM alpine\nENTRYPOINT ["b"]',
    ],
    invalid: [
      {
        code: 'FROM alpine\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]',
        errors: [{ line: 3, column: 1, message: 'ENTRYPOINT repeated in stage 0 (line 2 is overridden)' }],
      },
    ],
  },
});
