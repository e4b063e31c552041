// BH-DF-007: a downloaded script goes straight into an interpreter (`curl ... | sh`, `sh -c "$(curl ...)"`,
// `bash <(wget -O- ...)`), so the build runs code nobody reviewed or checksummed.
import { runCommands } from '../helpers.js';
import { commandsOf, type LintInstruction } from '../model.js';
import { defineRule, type ReportInput } from '../rule.js';

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'http', 'aria2c']);
const INTERPRETERS = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'mksh',
  'python',
  'python2',
  'python3',
  'perl',
  'ruby',
  'node',
  'php',
  'pwsh',
  'eval',
  'source',
  '.',
]);

function checkInstruction(instruction: LintInstruction, report: (input: ReportInput) => void): void {
  if (instruction.shell?.kind !== 'parsed') return;
  for (const pipe of instruction.shell.pipes) {
    const downloader = pipe.left.find((c) => DOWNLOADERS.has(c.program) && c.parent === undefined);
    const interpreter = pipe.right.find((c) => INTERPRETERS.has(c.program));
    if (downloader !== undefined && interpreter !== undefined) {
      report({
        instruction,
        command: downloader,
        message: `output of ${downloader.program} is piped into ${interpreter.program}`,
      });
    }
  }
  for (const command of commandsOf(instruction)) {
    if (!DOWNLOADERS.has(command.program) || command.parent === undefined) continue;
    const parent = command.parent;
    if (
      INTERPRETERS.has(parent.program) &&
      !parent.args.some((a) => a.text.includes(command.program) && a.literal)
    ) {
      report({ instruction, command, message: `output of ${command.program} is run by ${parent.program}` });
    }
  }
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-007',
    aliases: [],
    severity: 'high',
    title: 'Remote script piped into a shell',
    rationale:
      'A script is downloaded and executed in one step (`curl URL | sh`, `sh -c "$(curl URL)"`, `bash <(wget -qO- URL)`). Nothing checks what was downloaded: a compromised or hijacked URL runs code in the build, and a truncated download can run half a script.',
    remediation:
      'Download to a file, verify a pinned checksum or signature (`echo "<sha256>  install.sh" | sha256sum -c -`), then run it; better, install from a signed package.',
    references: ['https://cwe.mitre.org/data/definitions/494.html'],
    docsUrl: 'docs/rules/lint.md#bh-df-007',
  },
  check({ model, report }) {
    const seen = new Set<LintInstruction>();
    for (const { instruction } of runCommands(model)) {
      if (seen.has(instruction)) continue;
      seen.add(instruction);
      checkInstruction(instruction, report);
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN curl -fsSL https://example.com/x.tgz | tar -xz',
      'FROM alpine\nRUN curl -fsSLo install.sh https://example.com/i.sh && echo "abc  install.sh" | sha256sum -c - && sh install.sh',
      'FROM alpine\nRUN wget -qO- https://example.com/key.asc | gpg --import',
      'FROM alpine\nRUN echo "curl x | sh"',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN curl -fsSL https://get.example.com | sh',
        errors: [{ line: 2, column: 5, message: 'output of curl is piped into sh' }],
      },
      {
        code: 'FROM alpine\nRUN apk add curl \\\n && wget -qO- https://x | sudo bash -s -- -y',
        errors: [{ line: 3, column: 5, message: 'output of wget is piped into bash' }],
      },
      {
        code: 'FROM alpine\nRUN sh -c "$(curl -fsSL https://example.com/install.sh)"',
        errors: [{ line: 2, column: 14, message: 'output of curl is run by sh' }],
      },
      {
        code: 'FROM alpine\nRUN bash <(curl -s https://example.com/i.sh)',
        errors: [{ line: 2, column: 12, message: 'output of curl is run by bash' }],
      },
      {
        code: 'FROM python\nRUN curl -sSL https://install.example.org | python3 -',
        errors: [{ line: 2, column: 5, message: 'output of curl is piped into python3' }],
      },
    ],
  },
});
