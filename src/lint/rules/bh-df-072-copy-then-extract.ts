// BH-DF-072: an archive is COPY'd and then unpacked with tar in a later RUN (hadolint DL3010): the archive stays in
// its own layer forever. ADD unpacks local archives in one step, or a bind mount avoids the copy entirely.
import { lintStages, type LintInstruction } from '../model.js';
import { commandsOf } from '../model.js';
import { copyOperands } from '../helpers.js';
import { defineRule } from '../rule.js';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

/** The last path element, for / and Windows \ separators alike. */
function baseName(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? path
  );
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-072',
    aliases: ['DL3010'],
    severity: 'info',
    title: 'Archive copied and then extracted',
    rationale:
      'COPY puts a tar archive in the image and a later RUN in the same stage extracts it. The archive stays in the COPY layer even if the RUN deletes it, so the image carries the files twice.',
    remediation:
      'Use `ADD archive.tar.gz /dest/` (it unpacks local archives), or `RUN --mount=type=bind,source=archive.tar.gz,target=/tmp/a.tgz tar -xzf /tmp/a.tgz -C /dest`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3010'],
    docsUrl: 'docs/rules/lint.md#bh-df-072',
  },
  check({ model, report }) {
    for (const stage of lintStages(model)) {
      const copied: { instruction: LintInstruction; name: string }[] = [];
      for (const instruction of stage.instructions) {
        const operands = instruction.keyword === 'COPY' ? copyOperands(instruction, model.escape) : undefined;
        if (operands !== undefined && !instruction.flags.some((f) => f.name === 'from')) {
          // Copied to a file name (`COPY app.tar /foo.tar`), the archive is extracted under that name.
          const destName = baseName(operands.dest);
          const renamed = operands.sources.length === 1 && ARCHIVE.test(destName);
          for (const source of operands.sources)
            if (ARCHIVE.test(source))
              copied.push({ instruction, name: renamed ? destName : baseName(source) });
        }
        if (instruction.keyword !== 'RUN' || copied.length === 0) continue;
        for (const command of commandsOf(instruction)) {
          if (command.program !== 'tar') continue;
          const hit = copied.find((c) => command.args.some((a) => baseName(a.text) === c.name));
          if (hit !== undefined)
            report({
              instruction: hit.instruction,
              message: `${hit.name} is copied, then extracted by the RUN on line ${String(instruction.line)}`,
            });
        }
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nADD app.tar.gz /opt/',
      'FROM alpine\nCOPY app.tar.gz /srv/downloads/',
      'FROM alpine\nCOPY --from=build /out/app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz',
        errors: [
          { line: 2, column: 1, message: 'app.tar.gz is copied, then extracted by the RUN on line 3' },
        ],
      },
    ],
  },
});
