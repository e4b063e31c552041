// Rule factories for the RPM-family package managers, whose "answer yes" and "clean the cache" rules differ only in
// program names and flags (hadolint DL3030/DL3038/DL3034, DL3032/DL3040/DL3036; Trivy DS-0015/DS-0019/DS-0020).
import { argTexts, hasOption, positionals, runInstructions } from './helpers.js';
import { commandsOf, finalStage } from './model.js';
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

export function cleanCacheRule(input: {
  meta: RuleMeta;
  programs: readonly string[];
  cacheDirs: readonly string[];
  cleaned: (command: ShellCommand) => boolean;
  cases: RuleTests;
}): LintRule {
  return defineRule({
    meta: input.meta,
    check({ model, report }) {
      const last = finalStage(model);
      for (const instruction of runInstructions(model)) {
        if (instruction.stageIndex !== last?.index) continue;
        if (
          instruction.flags.some(
            (f) => f.name === 'mount' && input.cacheDirs.some((d) => (f.value ?? '').includes(`target=${d}`)),
          )
        )
          continue;
        const commands = commandsOf(instruction);
        const install = commands.find((c) => isInstall(c, input.programs));
        if (install === undefined) continue;
        const cleans = commands.some(
          (c) =>
            input.cleaned(c) ||
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
