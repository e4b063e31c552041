// BH-DF-026: COPY --from names a stage that is not defined before it (hadolint DL3022). Values that look like image
// references (contain ':', '/', '.' or '@') are images, and variables cannot be checked.
import { lintStages } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-026',
    aliases: ['DL3022'],
    severity: 'medium',
    title: 'COPY --from references an undefined stage',
    rationale:
      "`COPY --from=<name>` names no earlier stage. BuildKit then treats the name as an image and pulls it from Docker Hub: a typo in a stage name silently copies files out of someone else's image.",
    remediation:
      'Define the stage before (`FROM ... AS <name>`), fix the typo, or write the full image reference (`--from=docker.io/library/name:tag`).',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3022'],
    docsUrl: 'docs/rules/lint.md#bh-df-026',
  },
  check({ model, report }) {
    const defined: string[] = [];
    for (const stage of lintStages(model)) {
      for (const instruction of stage.instructions) {
        const from =
          instruction.keyword === 'COPY'
            ? instruction.flags.find((f) => f.name === 'from')?.value
            : undefined;
        if (from === undefined || from === null || /[:/.@$]/.test(from)) continue;
        if (
          /^\d+$/.test(from)
            ? Number(from) >= stage.index
            : !defined.includes(from.toLowerCase()) && from.toLowerCase() !== stage.name
        ) {
          report({
            instruction,
            message: `COPY --from=${from}: no earlier stage has that name (BuildKit will pull an image called "${from}")`,
          });
        }
      }
      if (stage.name !== null) defined.push(stage.name);
    }
  },
  cases: {
    valid: [
      'FROM alpine AS build\nFROM alpine\nCOPY --from=build /a /a',
      'FROM alpine\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx',
      'FROM alpine\nFROM alpine\nCOPY --from=0 /a /a',
      'FROM alpine\nCOPY --from=${SRC} /a /a',
    ],
    invalid: [
      {
        code: 'FROM alpine AS build\nFROM alpine\nCOPY --from=buidl /a /a',
        errors: [
          {
            line: 3,
            column: 1,
            message:
              'COPY --from=buidl: no earlier stage has that name (BuildKit will pull an image called "buidl")',
          },
        ],
      },
      {
        code: 'FROM alpine\nCOPY --from=later /a /a\nFROM alpine AS later',
        errors: [
          {
            line: 2,
            column: 1,
            message:
              'COPY --from=later: no earlier stage has that name (BuildKit will pull an image called "later")',
          },
        ],
      },
    ],
  },
});
