// BH-DF-031: more than one HEALTHCHECK in a stage (DL3012, Trivy DS-0023); only the last one takes effect.
import { lintStages } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-031',
    aliases: ['DL3012', 'DS-0023'],
    severity: 'low',
    title: 'Multiple HEALTHCHECK instructions in a stage',
    rationale:
      'A stage has more than one HEALTHCHECK. Only the last one takes effect, so the earlier ones mislead readers about what the image does. Different stages may each have their own.',
    remediation: 'Keep one HEALTHCHECK per stage.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3012',
      'https://avd.aquasec.com/misconfig/ds023',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-031',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      const found = stage.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
      for (const extra of found.slice(1))
        report({
          instruction: extra,
          message: `HEALTHCHECK repeated in stage ${stage.name ?? String(stage.index)} (line ${String(found[0]?.line)} is overridden)`,
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nHEALTHCHECK CMD ["a"]',
      'FROM alpine AS a\nHEALTHCHECK CMD ["a"]\nFROM alpine\nHEALTHCHECK CMD ["b"]',
    ],
    invalid: [
      {
        code: 'FROM alpine\nHEALTHCHECK CMD ["a"]\nHEALTHCHECK CMD ["b"]',
        errors: [{ line: 3, column: 1, message: 'HEALTHCHECK repeated in stage 0 (line 2 is overridden)' }],
      },
    ],
  },
});
