// BH-DF-005: TLS certificate verification is turned off for a download (curl -k, wget --no-check-certificate,
// pip --trusted-host, git http.sslVerify=false, npm strict-ssl false, NODE_TLS_REJECT_UNAUTHORIZED=0, apt
// Verify-Peer=false), so anyone on the network path can substitute what the build fetches.
import { allInstructions, commandsOf, type LintInstruction } from '../model.js';
import { argTexts, hasOption } from '../helpers.js';
import { defineRule, type ReportInput } from '../rule.js';
import type { ShellCommand } from '../shell.js';

const CURL_VALUE_LETTERS = 'AbcCdDeEFHKmoPQrTuUwxXyYz';
const FALSE = /^(false|0|no|off)$/i;
/** Environment variables that switch verification off, and the values that do it. */
const ENV_SWITCHES: Readonly<Record<string, RegExp>> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  GIT_SSL_NO_VERIFY: /^(1|true|yes)$/i,
  PYTHONHTTPSVERIFY: /^0$/,
  NPM_CONFIG_STRICT_SSL: FALSE,
  YARN_STRICT_SSL: FALSE,
  CURL_CA_BUNDLE: /^$/,
};

/** Checkov's checks for the same switch: CKV2_DOCKER_2 (curl -k), CKV2_DOCKER_3 (wget --no-check-certificate). */
const CHECKOV: Readonly<Record<string, readonly string[]>> = {
  curl: ['CKV2_DOCKER_2'],
  wget: ['CKV2_DOCKER_3'],
};

function commandProblem(command: ShellCommand): string | undefined {
  const args = argTexts(command);
  switch (command.program) {
    case 'curl':
      if (
        hasOption(command, {
          long: ['--insecure', '--proxy-insecure', '--doh-insecure'],
          short: ['k'],
          valueLetters: CURL_VALUE_LETTERS,
        })
      ) {
        return 'curl runs with --insecure (-k): server certificates are not checked';
      }
      return undefined;
    case 'wget':
      return hasOption(command, { long: ['--no-check-certificate'] })
        ? 'wget runs with --no-check-certificate'
        : undefined;
    case 'pip':
    case 'pip3':
    case 'uv':
      if (hasOption(command, { long: ['--trusted-host'] }))
        return `${command.program} --trusted-host accepts plain HTTP and invalid certificates for that host`;
      if (args[0] === 'config' && args.some((a) => a.endsWith('trusted-host')))
        return 'pip config sets trusted-host';
      return undefined;
    case 'git': {
      for (let i = 0; i < args.length; i += 1) {
        const a = args[i] ?? '';
        if (a === '-c' && /^http\.(.*\.)?sslverify=(false|0|no|off)$/i.test(args[i + 1] ?? ''))
          return 'git -c http.sslVerify=false';
      }
      const configIndex = args.indexOf('config');
      if (configIndex !== -1) {
        const rest = args.slice(configIndex + 1).filter((a) => !a.startsWith('-'));
        if (/^http\.(.*\.)?sslverify$/i.test(rest[0] ?? '') && FALSE.test(rest[1] ?? ''))
          return 'git config http.sslVerify false';
      }
      return undefined;
    }
    case 'npm':
    case 'yarn':
    case 'pnpm': {
      if (args.some((a) => /^--strict-ssl=(false|0)$/i.test(a)))
        return `${command.program} --strict-ssl=false`;
      const setIndex = args.indexOf('set');
      if (args[0] === 'config' && setIndex !== -1) {
        const rest = args.slice(setIndex + 1).filter((a) => !a.startsWith('-'));
        const [key, value] =
          rest[0]?.includes('=') === true
            ? (rest[0].split('=', 2) as [string, string])
            : [rest[0] ?? '', rest[1] ?? ''];
        if (/^strict-ssl$/i.test(key) && FALSE.test(value))
          return `${command.program} config set strict-ssl false`;
      }
      return undefined;
    }
    case 'apt-get':
    case 'apt':
      if (args.some((a) => /Acquire::https?::(.*::)?Verify-(Peer|Host)\s*=\s*"?(false|0|no)"?/i.test(a))) {
        return 'apt runs with Acquire::https::Verify-Peer/Verify-Host=false';
      }
      return undefined;
    default:
      return undefined;
  }
}

function checkAssignments(
  instruction: LintInstruction,
  pairs: readonly { name: string; value: string | null; line?: number; column?: number }[],
  report: (input: ReportInput) => void,
  command?: ShellCommand,
): void {
  for (const { name, value, line, column } of pairs) {
    const pattern = ENV_SWITCHES[name.toUpperCase()];
    if (pattern !== undefined && value !== null && pattern.test(value.trim())) {
      // An ENV/ARG pair is reported at its name; a command prefix (`X=0 npm ci`) at the command.
      const at =
        command === undefined && line !== undefined && column !== undefined ? { line, column } : undefined;
      report({
        instruction,
        ...(command === undefined ? {} : { command }),
        ...(at === undefined ? {} : { at }),
        message: `${name}=${value} turns TLS verification off`,
      });
    }
  }
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-005',
    aliases: [],
    severity: 'high',
    title: 'TLS certificate verification disabled',
    rationale:
      'A download runs with TLS certificate checks switched off: curl -k/--insecure, wget --no-check-certificate, pip --trusted-host, git http.sslVerify=false, npm/yarn strict-ssl=false, apt Verify-Peer=false, or NODE_TLS_REJECT_UNAUTHORIZED=0 / GIT_SSL_NO_VERIFY in ENV, ARG or a command prefix. Anyone on the network path can then replace what the build downloads; an ENV also leaves the setting on in every container.',
    remediation:
      'Remove the switch. If a private CA signs the server, add its certificate (COPY it to /usr/local/share/ca-certificates/ and run update-ca-certificates, or pass --cacert / PIP_CERT / NODE_EXTRA_CA_CERTS).',
    references: ['https://cwe.mitre.org/data/definitions/295.html', 'https://curl.se/docs/sslcerts.html'],
    docsUrl: 'docs/rules/lint.md#bh-df-005',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG')
        checkAssignments(instruction, instruction.properties, report);
      for (const command of commandsOf(instruction)) {
        if (instruction.keyword !== 'RUN') continue;
        const problem = commandProblem(command);
        if (problem !== undefined)
          report({ instruction, command, message: problem, aliases: CHECKOV[command.program] ?? [] });
        checkAssignments(instruction, command.assigns, report, command);
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nRUN curl -fsSL https://example.com/x -o /x',
      'FROM alpine\nRUN curl -o k https://example.com/x',
      'FROM alpine\nRUN curl -H "X-K: -k" https://example.com',
      'FROM alpine\nRUN echo "curl -k is bad"',
      'FROM alpine\nRUN wget -q https://example.com/x',
      'FROM python\nRUN pip install --no-cache-dir requests',
      'FROM node\nENV NODE_TLS_REJECT_UNAUTHORIZED=1',
      'FROM alpine\nRUN git config --global http.sslVerify true',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN curl -fsSkL https://example.com/x | tar x',
        errors: [
          {
            line: 2,
            column: 5,
            message: 'curl runs with --insecure (-k): server certificates are not checked',
          },
        ],
      },
      {
        code: 'FROM alpine\nRUN apk add curl && \\\n    curl --insecure -o /x https://example.com/x',
        errors: [
          {
            line: 3,
            column: 5,
            message: 'curl runs with --insecure (-k): server certificates are not checked',
          },
        ],
      },
      {
        code: 'FROM alpine\nRUN wget --no-check-certificate https://example.com',
        errors: [{ line: 2, column: 5, message: 'wget runs with --no-check-certificate' }],
      },
      {
        code: 'FROM python\nRUN pip install --trusted-host pypi.example.com flask',
        errors: [
          {
            line: 2,
            column: 5,
            message: 'pip --trusted-host accepts plain HTTP and invalid certificates for that host',
          },
        ],
      },
      {
        code: 'FROM node\nENV NODE_TLS_REJECT_UNAUTHORIZED=0',
        errors: [
          { line: 2, column: 5, message: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns TLS verification off' },
        ],
      },
      {
        code: 'FROM node\nRUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci',
        errors: [
          { line: 2, column: 5, message: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns TLS verification off' },
        ],
      },
      {
        code: 'FROM alpine\nRUN git config --global http.sslVerify false',
        errors: [{ line: 2, column: 5, message: 'git config http.sslVerify false' }],
      },
      {
        code: 'FROM alpine\nRUN git -c http.sslVerify=false clone https://example.com/r',
        errors: [{ line: 2, column: 5, message: 'git -c http.sslVerify=false' }],
      },
      {
        code: 'FROM node\nRUN npm config set strict-ssl false',
        errors: [{ line: 2, column: 5, message: 'npm config set strict-ssl false' }],
      },
      {
        code: 'FROM debian\nRUN apt-get -o Acquire::https::Verify-Peer=false update',
        errors: [
          { line: 2, column: 5, message: 'apt runs with Acquire::https::Verify-Peer/Verify-Host=false' },
        ],
      },
      {
        code: 'FROM alpine\nRUN sudo curl -k https://example.com',
        errors: [
          {
            line: 2,
            column: 10,
            message: 'curl runs with --insecure (-k): server certificates are not checked',
          },
        ],
      },
      {
        code: 'FROM alpine\nONBUILD RUN curl -k https://example.com',
        errors: [
          {
            line: 2,
            column: 13,
            message: 'curl runs with --insecure (-k): server certificates are not checked',
          },
        ],
      },
    ],
  },
});
