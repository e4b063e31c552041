// BH-DF-048: a label required by the configured label schema is missing from the final image (hadolint DL3049).
// Labels are inherited from earlier stages the final stage builds on.
import { finalStage, type Stage } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-048',
    aliases: ['DL3049'],
    severity: 'info',
    title: 'Required label missing',
    rationale:
      'The final stage (with the stages it builds on) does not set a label that `labelSchema` in the config requires. Inactive without a label schema.',
    remediation: 'Add the label: `LABEL org.opencontainers.image.source="https://..."`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3049',
      'https://github.com/opencontainers/image-spec/blob/main/annotations.md',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-048',
  },
  check({ model, settings, report }) {
    const required = Object.keys(settings.labelSchema);
    const stage = finalStage(model);
    if (required.length === 0 || stage === undefined || stage.index === -1) return;
    const present = new Set<string>();
    for (let s: Stage | null = stage; s !== null; s = s.parent) {
      for (const i of s.instructions)
        if (i.keyword === 'LABEL') for (const p of i.properties) present.add(p.name);
    }
    for (const name of required)
      if (!present.has(name))
        report({ instruction: stage.from, message: `label ${name} is required by the label schema` });
  },
  cases: {
    valid: [
      'FROM alpine\nLABEL a=b',
      {
        code: 'FROM alpine\nLABEL org.opencontainers.image.source=https://x',
        settings: { labelSchema: { 'org.opencontainers.image.source': 'url' } },
      },
    ],
    invalid: [
      {
        code: 'FROM alpine\nLABEL a=b',
        settings: { labelSchema: { maintainer: 'text' } },
        errors: [{ line: 1, column: 1, message: 'label maintainer is required by the label schema' }],
      },
    ],
  },
});
