// Rule factories for the RPM-family package managers, whose "answer yes" and "clean the cache" rules differ only in
// program names and flags (hadolint DL3030/DL3038/DL3034, DL3032/DL3040/DL3036; Trivy DS-0015/DS-0019/DS-0020).
import {
  argTexts,
  cacheMountTarget,
  hasOption,
  positionals,
  runInstructions,
  shippedStages,
  ships,
} from './helpers.js';
import { commandsOf } from './model.js';
import { defineRule, type LintRule, type RuleMeta, type RuleTests } from './rule.js';
import type { ShellCommand } from './shell.js';

const INSTALLS = new Set([
  'install',
  'in',
  'groupinstall',
  'localinstall',
  'reinstall',
  'upgrade',
  'update',
  'up',
  'remove',
  'rm',
  'erase',
  'patch',
  'dist-upgrade',
  'dup',
  'upgrade-minimal',
  'up-min',
  'rei',
]);

function isInstall(command: ShellCommand, programs: readonly string[]): boolean {
  return (
    programs.includes(command.program) &&
    INSTALLS.has(
      positionals(command, [
        '--setopt',
        '-c',
        '--config',
        '--releasever',
        '--installroot',
        '-R',
        '--root',
      ])[0] ?? '',
    )
  );
}

export function assumeYesRule(input: {
  meta: RuleMeta;
  programs: readonly string[];
  long: readonly string[];
  short: readonly string[];
  cases: RuleTests;
}): LintRule {
  return defineRule({
    meta: input.meta,
    check({ model, report }) {
      for (const instruction of runInstructions(model)) {
        for (const command of commandsOf(instruction)) {
          if (!isInstall(command, input.programs)) continue;
          if (!hasOption(command, { long: input.long, short: input.short }))
            report({
              instruction,
              command,
              message: `${command.program} ${positionals(command)[0] ?? ''} without ${input.long[0] ?? ''}`,
            });
        }
      }
    },
    cases: input.cases,
  });
}

/** A cache or tmpfs mount on one of the cache directories (or below one). */
function cacheMount(value: string, cacheDirs: readonly string[]): boolean {
  const target = cacheMountTarget(value);
  return target !== '' && cacheDirs.some((d) => target === d || target.startsWith(`${d}/`));
}

export function cleanCacheRule(input: {
  meta: RuleMeta;
  programs: readonly string[];
  cacheDirs: readonly string[];
  /** True when `command` cleans the cache `install` (an earlier command of the same RUN) filled. */
  cleaned: (command: ShellCommand, install: ShellCommand) => boolean;
  cases: RuleTests;
}): LintRule {
  return defineRule({
    meta: input.meta,
    check({ model, report }) {
      const shipped = shippedStages(model);
      for (const instruction of runInstructions(model)) {
        if (!ships(instruction, shipped)) continue;
        if (instruction.flags.some((f) => f.name === 'mount' && cacheMount(f.value ?? '', input.cacheDirs)))
          continue;
        const commands = commandsOf(instruction);
        const at = commands.findIndex((c) => isInstall(c, input.programs));
        const install = commands[at];
        if (install === undefined) continue;
        // Cleaning counts only after the install: `yum clean all && yum install x` leaves x's cache behind.
        const cleans = commands
          .slice(at + 1)
          .some(
            (c) =>
              input.cleaned(c, install) ||
              (c.program === 'rm' && argTexts(c).some((a) => input.cacheDirs.some((d) => a.startsWith(d)))),
          );
        if (!cleans)
          report({
            instruction,
            command: install,
            message: `${install.program} installs without cleaning its cache in the same RUN`,
          });
      }
    },
    cases: input.cases,
  });
}
