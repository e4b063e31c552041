// BH-DF-016: `apt-get install` without -y / --yes / --assume-yes (hadolint DL3014, Trivy DS-0021): the build stops at
// the confirmation prompt. `DEBIAN_FRONTEND` does not answer it; `-qq` implies -y.
import { hasOption, runCommands, subcommandOf } from '../helpers.js';
import { defineRule } from '../rule.js';

const APT_VALUE_OPTIONS = ['-o', '-c', '-t', '--option', '--config-file', '--target-release'];

/** apt-get's quiet level: each -q or --quiet adds one, `-q=N` sets it; level 2 implies --assume-yes (apt-get(8)). */
function quietLevel(args: readonly string[]): number {
  let level = 0;
  for (const a of args) {
    if (a === '--') break;
    const set = /^(?:-q|--quiet)=(\d+)$/.exec(a);
    if (set !== null) level = Number(set[1]);
    else if (a === '--quiet') level += 1;
    else if (/^-[a-zA-Z]+$/.test(a)) level += (a.match(/q/g) ?? []).length;
  }
  return level;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-016',
    aliases: ['DL3014', 'DS-0021'],
    severity: 'medium',
    title: 'apt-get install without -y',
    rationale:
      '`apt-get install` runs without -y/--yes/--assume-yes (or -qq, which implies it). In a non-interactive build the confirmation prompt fails the step, or hangs with a TTY.',
    remediation: 'Use `apt-get install -y --no-install-recommends PACKAGES`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3014',
      'https://avd.aquasec.com/misconfig/ds021',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-016',
  },
  check({ model, report }) {
    for (const { instruction, command } of runCommands(model)) {
      if (command.program !== 'apt-get' || subcommandOf(command, APT_VALUE_OPTIONS) !== 'install') continue;
      const yes =
        hasOption(command, {
          long: ['--yes', '--assume-yes', '--force-yes'],
          short: ['y'],
          valueLetters: 'oct',
        }) ||
        quietLevel(command.args.map((x) => x.text)) >= 2 ||
        command.args.some((a) => /^-o(APT::Get::Assume-Yes|\s*APT::Get::Assume-Yes)=/i.test(a.text)) ||
        command.args.some(
          (a, i) =>
            a.text === '-o' && /^APT::Get::Assume-Yes=(true|1|yes)$/i.test(command.args[i + 1]?.text ?? ''),
        );
      if (!yes) report({ instruction, command, message: 'apt-get install without -y' });
    }
  },
  cases: {
    valid: [
      'FROM debian\nRUN apt-get install -y curl',
      'FROM debian\nRUN apt-get -qq install curl',
      'FROM debian\nRUN apt-get install --yes curl',
      'FROM debian\nRUN apt-get -o APT::Get::Assume-Yes=true install curl',
      'FROM debian\nRUN apt-get update',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN apt-get update && apt-get install curl',
        errors: [{ line: 2, column: 23, message: 'apt-get install without -y' }],
      },
      {
        code: 'FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confold install curl',
        errors: [{ line: 2, column: 5, message: 'apt-get install without -y' }],
      },
    ],
  },
});
