// BH-DF-065: yarn install in the final stage without `yarn cache clean` in the same RUN (hadolint DL3060).
import { argTexts, runInstructions } from '../helpers.js';
import { commandsOf, finalStage } from '../model.js';
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
    const last = finalStage(model);
    for (const instruction of runInstructions(model)) {
      if (
        instruction.stageIndex !== last?.index ||
        instruction.flags.some((f) => f.name === 'mount' && (f.value ?? '').includes('type=cache'))
      )
        continue;
      const commands = commandsOf(instruction);
      const install = commands.find(
        (c) =>
          c.program === 'yarn' &&
          // Bare `yarn` installs, but `yarn --version` / `yarn -v` does not.
          (['install', 'add'].includes(argTexts(c).find((a) => !a.startsWith('-')) ?? '') ||
            argTexts(c).length === 0 ||
            argTexts(c).every((a) => a.startsWith('--frozen') || a === '--production')),
      );
      if (install === undefined) continue;
      if (
        !commands.some(
          (c) => c.program === 'yarn' && argTexts(c).includes('cache') && argTexts(c).includes('clean'),
        )
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
    invalid: [{ code: 'FROM node\nRUN yarn install --frozen-lockfile', errors: [{ line: 2 }] }],
  },
});
