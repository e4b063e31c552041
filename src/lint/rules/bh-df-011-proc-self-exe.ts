// BH-DF-011: the image references /proc/self/exe (or /proc/<pid>/exe), the trick behind CVE-2019-5736: a container
// entrypoint that resolves to /proc/self/exe re-executes the runtime's own binary (runc), which the container then
// opens and overwrites. Legitimate images have no reason to name it.
import { allInstructions, commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

const PROC_EXE = /\/proc\/(self|thread-self|[0-9]+|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)\/exe\b/;

export const rule = defineRule({
  meta: {
    id: 'BH-DF-011',
    aliases: [],
    severity: 'critical',
    title: 'Reference to /proc/self/exe (runc escape pattern)',
    rationale:
      'An instruction names /proc/self/exe or /proc/<pid>/exe: a symlink or shebang to it (`ln -s /proc/self/exe /bin/sh`, `#!/proc/self/exe`), an ENTRYPOINT pointing at it, or a script writing to it. This is the exploit pattern of CVE-2019-5736, where the container overwrites the host runc binary; on an unpatched host it gives root on the host.',
    remediation:
      'Remove the reference. Patch runc to 1.0.0-rc6 or later (and containerd/Docker accordingly); run `bulkhead audit` to check the host runtime version.',
    references: [
      'https://nvd.nist.gov/vuln/detail/CVE-2019-5736',
      'https://github.com/opencontainers/runc/commit/0a8e4117e7f715d5fbeef398405813ce8e88558b',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-011',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      const hits: string[] = [];
      if (instruction.execForm !== null) hits.push(...instruction.execForm.filter((a) => PROC_EXE.test(a)));
      for (const command of commandsOf(instruction)) {
        const words = [command.name, ...command.args.map((a) => a.text)];
        const hit = words.find((w) => PROC_EXE.test(w));
        if (hit !== undefined) {
          report({ instruction, command, message: `${command.program || 'command'} uses ${hit}` });
        }
      }
      // Not shell-parsed (COPY heredocs, other interpreters, Windows shells): the joined text includes heredoc bodies.
      if (instruction.shell === null && instruction.execForm === null && PROC_EXE.test(instruction.text))
        hits.push(instruction.text);
      for (const hit of hits)
        report({
          instruction,
          message: `${instruction.keyword} references ${PROC_EXE.exec(hit)?.[0] ?? hit}`,
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN ls /proc/self/fd',
      'FROM alpine\nENTRYPOINT ["/usr/bin/app"]',
      'FROM alpine\nRUN readlink /proc/self/exec',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN ln -sf /proc/self/exe /bin/sh',
        errors: [{ line: 2, column: 5, message: 'ln uses /proc/self/exe' }],
      },
      {
        code: 'FROM alpine\nENTRYPOINT ["/proc/self/exe"]',
        errors: [{ line: 2, column: 1, message: 'ENTRYPOINT references /proc/self/exe' }],
      },
      {
        code: 'FROM alpine\nRUN echo "#!/proc/self/exe" > /entrypoint && chmod +x /entrypoint',
        errors: [{ line: 2, column: 5, message: 'echo uses #!/proc/self/exe' }],
      },
      {
        code: 'FROM alpine\nCOPY <<EOF /entrypoint\n#!/proc/self/exe\nEOF',
        errors: [{ line: 2, column: 1, message: 'COPY references /proc/self/exe' }],
      },
      {
        code: 'FROM alpine\nRUN cat /proc/$PID/exe > /tmp/runc',
        errors: [{ line: 2, column: 5, message: 'cat uses /proc/$PID/exe' }],
      },
    ],
  },
});
