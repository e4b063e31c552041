// BH-DF-018: apt-get update/install without removing /var/lib/apt/lists in the same RUN (hadolint DL3009): the package
// indexes stay in the layer. Cache mounts on the lists and builder stages only copied from are exempt.
import {
  argTexts,
  cacheMountTarget,
  runInstructions,
  shippedStages,
  ships,
  subcommandOf,
} from '../helpers.js';
import { commandsOf } from '../model.js';
import { defineRule } from '../rule.js';
import type { ShellCommand } from '../shell.js';

const APT = new Set(['apt-get', 'apt', 'aptitude']);

/** Removing Debian's /etc/apt/apt.conf.d/docker-clean (or keeping downloaded packages) leaves .debs in /var/cache/apt. */
function disablesDockerClean(command: ShellCommand): boolean {
  const args = argTexts(command);
  return (
    (command.program === 'rm' && args.includes('/etc/apt/apt.conf.d/docker-clean')) ||
    (command.program === 'echo' && args.some((a) => a.includes('Keep-Downloaded-Packages')))
  );
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-018',
    aliases: ['DL3009'],
    severity: 'info',
    title: 'APT lists not removed after install',
    rationale:
      'A RUN updates or installs packages with apt-get (or apt, aptitude) but does not `rm -rf /var/lib/apt/lists/*` in the same step, leaving tens of megabytes of package indexes in the layer. Checked where the layer ships: the final stage, the stages it builds on, and ONBUILD triggers (builder stages that are only copied from do not ship). RUNs with a cache or tmpfs mount on /var/lib/apt/lists, or on /var/lib/apt (plus /var/cache/apt once docker-clean is removed), are exempt.',
    remediation:
      'End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt ...`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3009'],
    docsUrl: 'docs/rules/lint.md#bh-df-018',
  },
  check({ model, report }) {
    // What ships: the final stage, the stages it builds on (`FROM base`), and ONBUILD triggers (they run in the
    // image built FROM this one).
    const shipped = shippedStages(model);
    let dockerCleanDisabled = false;
    for (const instruction of runInstructions(model)) {
      const commands = commandsOf(instruction);
      if (commands.some(disablesDockerClean)) dockerCleanDisabled = true;
      if (!ships(instruction, shipped)) continue;
      const mounts = instruction.flags
        .filter((f) => f.name === 'mount')
        .map((f) => cacheMountTarget(f.value ?? ''));
      // A cache/tmpfs mount on the lists keeps them out of the layer; one on all of /var/lib/apt does too, but
      // with Debian's docker-clean hook disabled the downloaded .debs stay unless /var/cache/apt is mounted as well.
      if (mounts.includes('/var/lib/apt/lists')) continue;
      if (mounts.includes('/var/lib/apt') && (!dockerCleanDisabled || mounts.includes('/var/cache/apt')))
        continue;
      const sub = (c: ShellCommand): string =>
        APT.has(c.program) ? (subcommandOf(c, ['-o', '-c', '-t']) ?? '') : '';
      // Reported at the install; an update alone fills the lists just the same.
      const install = commands.find((c) => sub(c) === 'install') ?? commands.find((c) => sub(c) === 'update');
      if (install === undefined) continue;
      // apt 3.0 (Debian 13) has `apt-get dist-clean`, which removes the lists too.
      const cleans = commands.some(
        (c) =>
          (c.program === 'rm' && argTexts(c).some((a) => a.startsWith('/var/lib/apt/lists'))) ||
          (APT.has(c.program) && argTexts(c).includes('dist-clean')),
      );
      if (!cleans)
        report({
          instruction,
          command: install,
          message: `${install.program} ${subcommandOf(install, ['-o', '-c', '-t']) ?? ''} without rm -rf /var/lib/apt/lists/* in the same RUN`,
        });
    }
  },
  cases: {
    valid: [
      'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
      'FROM debian:trixie\nRUN apt-get update; apt-get install -y curl; apt-get dist-clean',
      'FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch',
      'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN apt-get update && apt-get install -y curl',
        errors: [
          {
            line: 2,
            column: 23,
            message: 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN',
          },
        ],
      },
      {
        code: 'FROM debian AS base\nRUN apt-get update && apt-get install -y gcc\nFROM base',
        errors: [
          {
            line: 2,
            column: 23,
            message: 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN',
          },
        ],
      },
      {
        code: 'FROM scratch\nRUN apt update && apt install python',
        errors: [
          { line: 2, column: 19, message: 'apt install without rm -rf /var/lib/apt/lists/* in the same RUN' },
        ],
      },
      {
        code: 'FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x',
        errors: [
          {
            line: 3,
            column: 62,
            message: 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN',
          },
        ],
      },
    ],
  },
});
