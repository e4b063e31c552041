// BH-DF-073: a stage named `scratch` or `context` (hadolint DL3063): both words already mean something else to the
// builder, so a later `FROM scratch` or `COPY --from=context` does not refer to the stage the author named.
import { defineRule } from '../rule.js';

const RESERVED = new Set(['scratch', 'context']);

export const rule = defineRule({
  meta: {
    id: 'BH-DF-073',
    aliases: ['DL3063'],
    severity: 'low',
    title: 'Stage named with a reserved word',
    rationale:
      '`FROM image AS scratch` or `AS context`: `scratch` is the empty base image and `context` names the build context (`COPY --from=context`, `--build-context`), so references to the stage by that name are ambiguous or resolve to the builtin.',
    remediation: 'Rename the stage (`AS build`, `AS base`).',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3063',
      'https://docs.docker.com/reference/dockerfile/#from',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-073',
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (stage.name !== null && RESERVED.has(stage.name))
        report({ instruction: stage.from, message: `stage name "${stage.name}" is a reserved word` });
    }
  },
  cases: {
    valid: ['FROM alpine AS build\nFROM scratch', 'FROM alpine AS scratchpad'],
    invalid: [
      {
        code: 'FROM alpine AS scratch',
        errors: [{ line: 1, column: 1, message: 'stage name "scratch" is a reserved word' }],
      },
      {
        code: 'FROM alpine\nFROM debian AS Context',
        errors: [{ line: 2, column: 1, message: 'stage name "context" is a reserved word' }],
      },
    ],
  },
});
