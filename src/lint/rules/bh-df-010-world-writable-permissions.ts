// BH-DF-010: a file or directory is made world-writable (chmod 777/666/o+w, mkdir -m 777, COPY --chmod=777), so any
// user in the container, including a compromised unprivileged process, can change it. Directories with the sticky bit
// (chmod 1777 /tmp) are the accepted pattern for shared temp dirs and are not reported.
import { allInstructions, commandsOf } from '../model.js';
import { optionValue, positionals } from '../helpers.js';
import { defineRule } from '../rule.js';

/** True when a chmod mode (octal or symbolic) grants write to "other" without the sticky bit. */
export function isWorldWritable(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const value = Number.parseInt(mode, 8);
    return (value & 0o002) !== 0 && (value & 0o1000) === 0;
  }
  return mode.split(',').some((clause) => {
    const m = /^([ugoa]*)([-+=])([rwxXstugo]*)$/.exec(clause);
    if (m === null) return false;
    const who = m[1] ?? '';
    return (
      (who.includes('o') || who.includes('a')) &&
      m[2] !== '-' &&
      (m[3] ?? '').includes('w') &&
      !(m[3] ?? '').includes('t')
    );
  });
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-010',
    aliases: [],
    severity: 'medium',
    title: 'World-writable permissions',
    rationale:
      'chmod (or mkdir -m, install -m, COPY/ADD --chmod) grants write permission to all users (777, 666, o+w, a+w). Any process in the container can then replace binaries, scripts or configuration that another user, often root, later runs. Sticky-bit modes such as 1777 on a shared temp directory are not reported.',
    remediation:
      'Give ownership to the user that needs to write (`chown app:app dir` or `COPY --chown=app`), and use 755/644 (or 775 with a dedicated group, as OpenShift images do with `chgrp 0 && chmod g=u`).',
    references: ['https://cwe.mitre.org/data/definitions/732.html'],
    docsUrl: 'docs/rules/lint.md#bh-df-010',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
        const chmod = instruction.flags.find((f) => f.name === 'chmod')?.value;
        if (chmod !== undefined && chmod !== null && isWorldWritable(chmod))
          report({ instruction, message: `--chmod=${chmod} makes the files world-writable` });
        continue;
      }
      if (instruction.keyword !== 'RUN') continue;
      const commands = commandsOf(instruction);
      commands.forEach((command, index) => {
        let mode: string | undefined;
        let paths: string[] = [];
        if (command.program === 'chmod') [mode, ...paths] = positionals(command, ['--reference']);
        else if (command.program === 'mkdir' || command.program === 'install') {
          mode = optionValue(command, ['-m', '--mode']);
          paths = positionals(command, ['-m', '--mode']);
        }
        // A scratch directory removed later in the same RUN never reaches a layer.
        const removedLater =
          paths.length > 0 &&
          paths.every((p) =>
            commands.slice(index + 1).some((c) => c.program === 'rm' && c.args.some((a) => a.text === p)),
          );
        if (mode !== undefined && isWorldWritable(mode) && !removedLater)
          report({ instruction, command, message: `${command.program} ${mode} makes a path world-writable` });
      });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN chmod 755 /app',
      'FROM alpine\nRUN chmod 1777 /tmp',
      'FROM alpine\nRUN chmod g+w /data && chmod o-w /data',
      'FROM alpine\nRUN chmod -R a+rX /usr/share/app',
      'FROM alpine\nCOPY --chmod=755 entrypoint.sh /',
      'FROM alpine\nRUN echo "chmod 777 /x"',
      'FROM debian\nRUN tempDir="$(mktemp -d)" && chmod 777 "$tempDir" && make -C "$tempDir" && rm -rf "$tempDir"',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN chmod 777 /app',
        errors: [{ line: 2, column: 5, message: 'chmod 777 makes a path world-writable' }],
      },
      {
        code: 'FROM alpine\nRUN chmod -R 0666 /data',
        errors: [{ line: 2, column: 5, message: 'chmod 0666 makes a path world-writable' }],
      },
      {
        code: 'FROM alpine\nRUN mkdir -p -m 777 /shared',
        errors: [{ line: 2, column: 5, message: 'mkdir 777 makes a path world-writable' }],
      },
      {
        code: 'FROM alpine\nRUN chmod a+rwx /opt/app',
        errors: [{ line: 2, column: 5, message: 'chmod a+rwx makes a path world-writable' }],
      },
      {
        code: 'FROM alpine\nCOPY --chmod=777 run.sh /run.sh',
        errors: [{ line: 2, column: 1, message: '--chmod=777 makes the files world-writable' }],
      },
    ],
  },
});
