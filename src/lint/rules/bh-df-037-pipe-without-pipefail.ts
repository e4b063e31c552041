// BH-DF-037: a RUN pipes commands without pipefail (hadolint DL4006): `/bin/sh -c` reports only the last command's
// status, so `curl URL | tar x` succeeds when the download fails. Pipes whose left side cannot fail in a way that
// matters (echo/printf of literal text) are not reported; `set -o pipefail` or SHELL with -o pipefail suffices.
import { runInstructions, stageOf } from '../helpers.js';
import { defineRule } from '../rule.js';

const HARMLESS = new Set(['echo', 'printf', 'yes', 'true', 'cat']);

const PIPEFAIL_SHELLS = new Set(['bash', 'zsh', 'ash', 'ksh', 'mksh']);

export const rule = defineRule({
  meta: {
    id: 'BH-DF-037',
    aliases: ['DL4006'],
    severity: 'low',
    title: 'Pipe without pipefail',
    rationale:
      'A RUN has a pipe but neither `set -o pipefail` before it nor a SHELL with `-o pipefail`. The step\'s status is that of the last command only: a failed download piped into tar or sh leaves a broken layer that still builds. Pipes fed by echo/printf/cat are not reported (they fail only when the receiving command also fails), nor are pipes inside `$(...)`, whose status is lost with or without pipefail. Note that dash (Debian\'s /bin/sh) only gained pipefail in 0.5.11; use SHELL ["/bin/bash", "-o", "pipefail", "-c"] where in doubt.',
    remediation:
      'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start the script with `set -o pipefail`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL4006'],
    docsUrl: 'docs/rules/lint.md#bh-df-037',
  },
  check({ model, report }) {
    for (const instruction of runInstructions(model)) {
      const shell = instruction.shell;
      if (shell?.kind !== 'parsed' || shell.pipes.length === 0 || shell.setsPipefail) continue;
      const stage = stageOf(model, instruction);
      const shellArgs = stage?.shellArgs ?? [];
      const shellInForce =
        stage?.instructions.filter((i) => i.keyword === 'SHELL' && i.line < instruction.line).pop()
          ?.execForm ?? (stage?.instructions.some((i) => i.keyword === 'SHELL') === true ? [] : shellArgs);
      // Only shells that know the option honour it: Debian's /bin/sh (dash) rejects `-o pipefail`.
      const knowsPipefail = PIPEFAIL_SHELLS.has((shellInForce[0] ?? '').split(/[\\/]/).pop() ?? '');
      if (
        knowsPipefail &&
        (shellInForce.some((a, i) => a === '-o' && shellInForce[i + 1] === 'pipefail') ||
          (shellInForce.some((a) => /^-[a-z]*o$/.test(a)) && shellInForce.includes('pipefail')))
      )
        continue;
      // A pipe inside $(...) is an argument: its status is lost with or without pipefail, so only top-level pipes count.
      const risky = shell.pipes.find((p) =>
        p.left.some((c) => c.parent === undefined && !HARMLESS.has(c.program)),
      );
      const first = risky?.left.find((c) => c.parent === undefined && !HARMLESS.has(c.program));
      if (first !== undefined)
        report({
          instruction,
          command: first,
          message: `${first.program} is piped without pipefail: its failure is ignored`,
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN set -o pipefail && curl -fsSL https://x | tar xz',
      'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://x | tar xz',
      'FROM debian\nRUN echo "abc  f" | sha256sum -c -',
      'FROM debian\nRUN dpkgArch="$(dpkg --print-architecture | awk -F- \'{ print $NF }\')" && echo $dpkgArch',
      'FROM debian\nRUN set -eux -o pipefail; wget -O- https://x | tar x',
    ],
    invalid: [
      {
        code: 'FROM debian\nRUN curl -fsSL https://x | tar xz',
        errors: [{ line: 2, column: 5, message: 'curl is piped without pipefail: its failure is ignored' }],
      },
      {
        code: 'FROM debian\nRUN dpkg -l | grep ii',
        errors: [{ line: 2, column: 5, message: 'dpkg is piped without pipefail: its failure is ignored' }],
      },
    ],
  },
});
