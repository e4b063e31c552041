// BH-DF-065: yarn install in the final stage without `yarn cache clean` in the same RUN (hadolint DL3060).
import { argTexts, cacheMountTarget, runInstructions, shippedStages, ships } from '../helpers.js';
import { commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-065',
    aliases: ['DL3060'],
    severity: 'info',
    title: 'yarn cache not cleaned',
    rationale:
      "`yarn install`/`yarn add` in the final stage keeps yarn's cache in the layer unless `yarn cache clean` runs in the same RUN. Builder stages and cache mounts are exempt.",
    remediation:
      'End the RUN with `&& yarn cache clean`, or use `--mount=type=cache,target=/usr/local/share/.cache/yarn`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3060'],
    docsUrl: 'docs/rules/lint.md#bh-df-065',
  },
  check({ model, report }) {
    const shipped = shippedStages(model);
    for (const instruction of runInstructions(model)) {
      if (
        !ships(instruction, shipped) ||
        instruction.flags.some(
          (f) =>
            f.name === 'mount' &&
            /(^|\/)\.cache\/yarn(\/|$)|^\/usr\/local\/share\/\.cache\/yarn/.test(
              cacheMountTarget(f.value ?? ''),
            ),
        )
      )
        continue;
      const commands = commandsOf(instruction);
      const at = commands.findIndex(
        (c) =>
          c.program === 'yarn' &&
          // Bare `yarn` installs, but `yarn --version` / `yarn -v` does not.
          (['install', 'add'].includes(argTexts(c).find((a) => !a.startsWith('-')) ?? '') ||
            argTexts(c).length === 0 ||
            argTexts(c).every((a) => a.startsWith('--frozen') || a === '--production')),
      );
      const install = commands[at];
      if (install === undefined) continue;
      // Only a clean after the install empties the cache it filled.
      if (
        !commands
          .slice(at + 1)
          .some((c) => c.program === 'yarn' && argTexts(c).includes('cache') && argTexts(c).includes('clean'))
      )
        report({ instruction, command: install, message: 'yarn install without yarn cache clean' });
    }
  },
  cases: {
    valid: [
      'FROM node\nRUN yarn install --frozen-lockfile && yarn cache clean',
      'FROM node\nRUN yarn --version',
      'FROM node AS b\nRUN yarn install\nFROM node',
    ],
    invalid: [
      {
        code: 'FROM node\nRUN yarn install --frozen-lockfile',
        errors: [{ line: 2, column: 5, message: 'yarn install without yarn cache clean' }],
      },
    ],
  },
});
