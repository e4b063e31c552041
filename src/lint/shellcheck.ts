// Optional ShellCheck pass over RUN scripts: one `shellcheck -f json1` process per Dockerfile (scripts written to a
// private temp dir), comments mapped back to Dockerfile lines. Its findings are rule BH-DF-SC with the SC code as
// alias, so `# hadolint ignore=SC2086` keeps working.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Severity } from '../shared/severity.js';
import { runInstructions, stageOf } from './helpers.js';
import type { DockerfileModel, LintInstruction } from './model.js';
import { defineRule, type LintRule } from './rule.js';

const commentSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  level: z.enum(['error', 'warning', 'info', 'style']),
  code: z.number().int(),
  message: z.string(),
});
const outputSchema = z.object({ comments: z.array(commentSchema) });

const LEVELS: Readonly<Record<string, Severity>> = {
  error: 'medium',
  warning: 'low',
  info: 'info',
  style: 'info',
};
/** Can't follow `source`d files that only exist in the image; hadolint excludes the same. */
const EXCLUDED = ['SC1090', 'SC1091'];

export function shellcheckAvailable(binary = 'shellcheck'): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return result.status === 0;
}

/** Scripts of a Dockerfile worth checking: shell-form RUNs in POSIX-shell stages that parsed. */
interface Script {
  readonly instruction: LintInstruction;
  readonly script: string;
  readonly dialect: 'sh' | 'bash';
  /** Dockerfile line of the first script line when the script is a heredoc body (`RUN <<EOF`). */
  readonly bodyLine: number | null;
}

function scriptsOf(model: DockerfileModel): Script[] {
  const out: Script[] = [];
  for (const instruction of runInstructions(model)) {
    if (instruction.shell?.kind !== 'parsed') continue;
    const shell = stageOf(model, instruction)?.shellArgs[0] ?? '/bin/sh';
    const heredoc = instruction.heredocs[0];
    const onlyBody =
      heredoc !== undefined &&
      /^\s*<<-?\s*["']?[\w.-]+["']?\s*$/.test(instruction.text.split('\n', 1)[0] ?? '');
    out.push({
      instruction,
      script: onlyBody ? heredoc.content : instruction.text,
      dialect: shell.endsWith('bash') ? 'bash' : 'sh',
      bodyLine: onlyBody ? heredoc.line : null,
    });
  }
  return out;
}

/** A rule object (not in the registry) that reports ShellCheck comments for the given model. */
export function shellcheckRule(binary = 'shellcheck'): LintRule {
  return defineRule({
    meta: {
      id: 'BH-DF-SC',
      aliases: [],
      severity: 'low',
      title: 'ShellCheck',
      rationale:
        'ShellCheck comment on a RUN script (run with --shellcheck when the shellcheck binary is installed).',
      remediation: 'See the ShellCheck wiki page of the code.',
      references: ['https://www.shellcheck.net/wiki/'],
      docsUrl: 'docs/lint.md#shellcheck',
    },
    check({ model, report }) {
      const scripts = scriptsOf(model);
      if (scripts.length === 0) return;
      const dir = mkdtempSync(join(tmpdir(), 'bulkhead-shellcheck-'));
      try {
        const byFile = new Map<string, Script>();
        const groups: Record<'sh' | 'bash', string[]> = { sh: [], bash: [] };
        scripts.forEach((s, i) => {
          const file = join(dir, `run-${String(i)}.${s.dialect}`);
          writeFileSync(file, s.script.endsWith('\n') ? s.script : `${s.script}\n`);
          byFile.set(file, s);
          groups[s.dialect].push(file);
        });
        for (const dialect of ['sh', 'bash'] as const) {
          const files = groups[dialect];
          if (files.length === 0) continue;
          const result = spawnSync(
            binary,
            ['-f', 'json1', '-s', dialect, '-e', EXCLUDED.join(','), ...files],
            { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          );
          if (result.error !== undefined) throw new Error(`shellcheck did not run: ${result.error.message}`);
          let parsed: unknown;
          try {
            parsed = JSON.parse(result.stdout);
          } catch {
            throw new Error(
              `shellcheck printed no JSON (exit ${String(result.status)}): ${result.stderr.slice(0, 200)}`,
            );
          }
          const output = outputSchema.safeParse(parsed);
          if (!output.success) throw new Error('shellcheck JSON did not have the expected shape');
          for (const c of output.data.comments) {
            const owner = byFile.get(c.file);
            if (owner === undefined) continue;
            const { instruction, bodyLine } = owner;
            const code = `SC${String(c.code)}`;
            const at =
              bodyLine === null
                ? instruction.scriptPosition(c.line, c.column)
                : { line: bodyLine + c.line - 1, column: c.column };
            report({
              instruction,
              at,
              message: `${code}: ${c.message}`,
              aliases: [code],
              severity: LEVELS[c.level] ?? 'low',
            });
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    cases: { valid: [], invalid: [] },
  });
}
