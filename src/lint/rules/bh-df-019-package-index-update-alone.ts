// BH-DF-019: a RUN updates the package index without installing in the same step (Trivy DS-0017): the cached index
// layer goes stale and later installs use old metadata.
import { runInstructions, subcommandOf } from '../helpers.js';
import { commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

const UPDATE: Readonly<Record<string, string>> = {
  'apt-get': 'update',
  apt: 'update',
  apk: 'update',
  yum: 'makecache',
  dnf: 'makecache',
  zypper: 'refresh',
};
const INSTALL = new Set([
  'install',
  'add',
  'upgrade',
  'dist-upgrade',
  'full-upgrade',
  'in',
  'update-minimal',
  'reinstall',
  'build-dep',
  'source',
]);

export const rule = defineRule({
  meta: {
    id: 'BH-DF-019',
    aliases: ['DS-0017', 'CKV_DOCKER_5'],
    severity: 'medium',
    title: 'Package index updated in a RUN of its own',
    rationale:
      '`apt-get update` (or `apk update`, `yum makecache`, `zypper refresh`) runs in a RUN that installs nothing. Docker caches that layer, so later RUNs install from a stale index: old versions, missing security fixes, or 404s.',
    remediation:
      'Update and install in one RUN: `RUN apt-get update && apt-get install -y ... && rm -rf /var/lib/apt/lists/*`.',
    references: [
      'https://avd.aquasec.com/misconfig/ds017',
      'https://docs.docker.com/build/building/best-practices/#apt-get',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-019',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      // With a cache mount the index lives in the cache, not in a layer that can go stale.
      if (instruction.flags.some((f) => f.name === 'mount' && (f.value ?? '').includes('type=cache')))
        continue;
      const commands = commandsOf(instruction);
      const update = commands.find(
        (c) => UPDATE[c.program] !== undefined && subcommandOf(c, ['-o', '-c']) === UPDATE[c.program],
      );
      if (update === undefined) continue;
      const installs = commands.some(
        (c) => c.program in UPDATE && INSTALL.has(subcommandOf(c, ['-o', '-c', '-t']) ?? ''),
      );
      if (!installs)
        report({
          instruction,
          command: update,
          message: `${update.program} ${UPDATE[update.program] ?? ''} without an install in the same RUN`,
        });
    }
  },
  cases: {
    valid: [
      'FROM debian\nRUN apt-get update && apt-get install -y curl',
      'FROM alpine\nRUN apk update && apk add curl',
      'FROM debian\nRUN apt-get install -y curl',
      'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\nRUN --mount=type=cache,target=/var/lib/apt apt-get install -y gcc',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl',
        errors: [{ line: 2, column: 5, message: 'apt-get update without an install in the same RUN' }],
      },
      {
        code: 'FROM alpine\nRUN apk update',
        errors: [{ line: 2, column: 5, message: 'apk update without an install in the same RUN' }],
      },
    ],
  },
});
