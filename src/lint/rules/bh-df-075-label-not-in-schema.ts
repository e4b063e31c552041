// BH-DF-075: with `strict-labels` on, a LABEL sets a key the label schema does not list (hadolint DL3050,
// "Superfluous label(s) present"). hadolint reports the instruction once; bulkhead names each key, at the key.
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-075',
    aliases: ['DL3050'],
    severity: 'low',
    title: 'Label not in the label schema',
    rationale:
      'With `strictLabels: true` (hadolint `strict-labels`), the label schema is the complete list of labels an image may carry, so tooling that reads labels (inventory, ownership, licensing) sees only keys it knows. A LABEL sets a key the schema does not list: a typo of a schema key or an undeclared label. Inactive unless strict labels are on and a schema is set.',
    remediation: 'Rename the label to the schema key it was meant to be, or add the key to `labelSchema`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3050'],
    docsUrl: 'docs/rules/lint.md#bh-df-075',
  },
  check({ model, settings, report }) {
    if (!settings.strictLabels) return;
    const known = new Set(Object.keys(settings.labelSchema));
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'LABEL') continue;
      for (const property of instruction.properties)
        if (!known.has(property.name))
          report({
            instruction,
            at: { line: property.line, column: property.column },
            message: `label ${property.name} is not in the label schema`,
          });
    }
  },
  cases: {
    valid: [
      // strict labels off: any label is fine
      { code: 'FROM alpine\nLABEL anything=x', settings: { labelSchema: { version: 'semver' } } },
      {
        code: 'FROM alpine\nLABEL version=1.0.0 maintainer=me',
        settings: { labelSchema: { version: 'semver', maintainer: 'text' }, strictLabels: true },
      },
    ],
    invalid: [
      {
        code: 'FROM alpine\nLABEL version=1.0.0 \\\n  mantainer=me',
        settings: { labelSchema: { version: 'semver', maintainer: 'text' }, strictLabels: true },
        errors: [{ line: 3, column: 3, message: 'label mantainer is not in the label schema' }],
      },
      {
        // an empty schema with strict labels: every label is superfluous (hadolint agrees)
        code: 'FROM alpine AS base\nLABEL a=1\nFROM base\nLABEL b=2',
        settings: { strictLabels: true },
        errors: [
          { line: 2, column: 7, message: 'label a is not in the label schema' },
          { line: 4, column: 7, message: 'label b is not in the label schema' },
        ],
      },
    ],
  },
});
