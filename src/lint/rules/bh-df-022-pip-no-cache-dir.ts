// BH-DF-022: `pip install` without --no-cache-dir (hadolint DL3042) keeps wheels in ~/.cache/pip in the layer.
import { argTexts, runInstructions, stageOf } from '../helpers.js';
import { commandsOf, type LintInstruction } from '../model.js';
import { defineRule } from '../rule.js';
import type { ShellCommand } from '../shell.js';

function pipInstall(command: ShellCommand): boolean {
  const args = argTexts(command);
  if (/^pip[0-9.]*$/.test(command.program)) return args[0] === 'install';
  if (/^python[0-9.]*$/.test(command.program)) {
    const m = args.indexOf('-m');
    return m !== -1 && args[m + 1] === 'pip' && args[m + 2] === 'install';
  }
  return false;
}

/**
 * pip turns the cache off for ANY boolean value of PIP_NO_CACHE_DIR, "0"/"false"/"no" included: its option callback
 * (`_handle_no_cache_dir` in pip/_internal/cli/cmdoptions.py) only checks that the value parses as a boolean, kept
 * that way for backwards compatibility. hadolint counts only truthy values; see docs/lint.md.
 */
const PIP_BOOLEAN = /^(y|yes|t|true|on|1|n|no|f|false|off|0)$/i;

function cacheOff(instruction: LintInstruction, variables: ReadonlyMap<string, string> | undefined): boolean {
  const env = variables?.get('PIP_NO_CACHE_DIR');
  return (
    (env !== undefined && PIP_BOOLEAN.test(env)) ||
    instruction.flags.some((f) => f.name === 'mount' && /target=[^,]*\.cache\/pip/.test(f.value ?? ''))
  );
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-022',
    aliases: ['DL3042'],
    severity: 'low',
    title: 'pip install without --no-cache-dir',
    rationale:
      '`pip install` stores downloaded wheels in ~/.cache/pip, which then ships in the layer. Accepted alternatives: `ENV PIP_NO_CACHE_DIR=1` (any value disables the cache in pip), `--mount=type=cache` on ~/.cache/pip, or removing the cache in the same RUN.',
    remediation: 'Use `pip install --no-cache-dir ...`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3042'],
    docsUrl: 'docs/rules/lint.md#bh-df-022',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      if (cacheOff(instruction, stageOf(model, instruction)?.variables)) continue;
      const commands = commandsOf(instruction);
      const cleans = commands.some(
        (c) =>
          (c.program === 'rm' && argTexts(c).some((a) => a.includes('.cache/pip'))) ||
          (c.program.startsWith('pip') && argTexts(c)[0] === 'cache' && argTexts(c)[1] === 'purge'),
      );
      let exported = false;
      for (const command of commands) {
        // `export PIP_NO_CACHE_DIR=1 && pip install ...` turns the cache off for the rest of the script.
        if (command.program === 'export' && command.assigns.some((a) => a.name === 'PIP_NO_CACHE_DIR'))
          exported = true;
        if (!pipInstall(command) || cleans || exported) continue;
        const args = argTexts(command);
        if (!args.includes('--no-cache-dir') && !command.assigns.some((a) => a.name === 'PIP_NO_CACHE_DIR'))
          report({ instruction, command, message: `${command.program} install without --no-cache-dir` });
      }
    }
  },
  cases: {
    valid: [
      'FROM python\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask',
      'RUN pip install --no-cache-dir flask',
      'FROM python\nRUN pip install --no-cache-dir flask',
      'FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask',
      'FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask',
      'FROM python\nRUN pip download flask',
    ],
    invalid: [
      {
        code: 'FROM python\nRUN pip install flask',
        errors: [{ line: 2, column: 5, message: 'pip install without --no-cache-dir' }],
      },
      {
        code: 'FROM python\nRUN python3 -m pip install -r req.txt',
        errors: [{ line: 2, column: 5, message: 'python3 install without --no-cache-dir' }],
      },
    ],
  },
});
