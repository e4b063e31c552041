// BH-DF-008: a secret is baked into image metadata: an ARG or ENV named like a credential, a credential-shaped value
// (AWS key, GitHub/GitLab token, private key, password in a URL) in ENV, ARG, LABEL or a RUN argument. ARG values
// are recorded in the image history of every RUN that sees them; ENV and LABEL are in the image config.
import { allInstructions, commandsOf } from '../model.js';
import { defineRule } from '../rule.js';

/** Name parts that mean "this holds a credential". */
const SECRET_WORDS =
  /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|CLIENT_SECRET|CREDENTIALS?|AUTH_KEY|AUTH_TOKEN|SESSION_KEY|ENCRYPTION_KEY|SIGNING_KEY|MASTER_KEY)($|_)/;
/** Names that contain such words but hold no secret: paths, switches, public key ids, checksums. */
const NOT_SECRET =
  /(_FILE|_PATH|_DIR|_URL|_URI|_HOST|_PORT|_USER|_USERNAME|_NAME|_ID|_VERSION|_SHA256|_SHA512|_SHA|_CHECKSUM|_LENGTH|_EXPIRY|_TTL|_ENABLED|_REQUIRED|_POLICY|_MOUNT|_HEADER|_TYPE|_ALGORITHM|_FORMAT|_PREFIX|_FINGERPRINT|_KEYRING|_SIZE)$|^(PWD|OLDPWD|GPG_KEYS?|PUBLIC_KEY)$/;

const VALUE_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/ },
  { name: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a private key', pattern: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/ },
  { name: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'a password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@$]+:[^/\s@$]+@[^/\s]+/i },
];

/**
 * Well-known credential variables of CI systems and cloud CLIs (hadolint DL3064's list) that the word patterns
 * above let through because they end in _ID, _USER or _USERNAME: an access key id or registry login is half a
 * credential and still does not belong in image metadata.
 */
const KNOWN_SECRET_NAMES = new Set([
  'APPLICATION_KEY',
  'AWS_ACCESS_KEY_ID',
  'CF_USERNAME',
  'CI_DEPLOY_USER',
  'DOCKER_EMAIL',
  'DOCKER_USERNAME',
  'FACEBOOK_APP_ID',
  'HEROKU_API_USER',
  'OKTA_AUTHN_GROUPID',
  'OKTA_OAUTH2_CLIENTID',
  'OKTA_OAUTH2_CLIENTSECRET',
  'OPENAI_API_KEY',
  'OS_USERNAME',
  'VAULT_CLIENT_KEY',
]);

export function isSecretName(name: string): boolean {
  const upper = name
    .toUpperCase()
    .replace(/[.-]/g, '_')
    .replace(/([a-z])([A-Z])/g, '$1_$2');
  return KNOWN_SECRET_NAMES.has(upper) || (SECRET_WORDS.test(upper) && !NOT_SECRET.test(upper));
}

/** One cheap pass that every credential shape above needs to match first; most words fail it immediately. */
const ANY_SECRET =
  /AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza|PRIVATE KEY|npm_|:\/\/[^/\s:@$]+:[^/\s@$]+@/;

export function secretValueKind(value: string): string | undefined {
  if (!ANY_SECRET.test(value)) return undefined;
  return VALUE_PATTERNS.find((p) => p.pattern.test(value))?.name;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-008',
    aliases: ['DL3064', 'DS-0031'],
    severity: 'high',
    title: 'Secret in ARG, ENV, LABEL or command line',
    rationale:
      'An ARG or ENV is named like a credential (PASSWORD, TOKEN, SECRET, API_KEY, ...), or a value looks like one (AWS key id, GitHub/GitLab/Slack/npm token, private key block, password in a URL). ENV and LABEL values are stored in the image config; ARG values show up in `docker history` for every RUN that uses them. Names that only point at a secret (`*_FILE`, `*_PATH`, `*_URL`), public key fingerprints (GPG_KEY) and checksums are not reported.',
    remediation:
      'Pass build secrets with `RUN --mount=type=secret,id=token ...` (docker build --secret id=token,src=...) and runtime secrets through the orchestrator (Docker/Kubernetes secrets, or a `*_FILE` variable pointing at a mounted file).',
    references: [
      'https://docs.docker.com/build/building/secrets/',
      'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-008',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      const { keyword } = instruction;
      if (keyword === 'ARG' || keyword === 'ENV' || keyword === 'LABEL') {
        for (const p of instruction.properties) {
          const at = { line: p.line, column: p.column };
          const kind = p.value === null ? undefined : secretValueKind(p.value);
          if (kind !== undefined) {
            report({
              instruction,
              at,
              message: `${keyword} ${p.name} holds ${kind}`,
              evidence: `${p.name}=<redacted>`,
            });
          } else if (
            keyword !== 'LABEL' &&
            isSecretName(p.name) &&
            (keyword === 'ARG' || (p.value ?? '') !== '')
          ) {
            report({
              instruction,
              at,
              message: `${keyword} ${p.name} looks like a secret and is stored in the image`,
              evidence: `${keyword} ${p.name}`,
            });
          }
        }
      }
      if (keyword === 'RUN') {
        for (const command of commandsOf(instruction)) {
          for (const arg of command.args) {
            const kind = secretValueKind(arg.text);
            if (kind !== undefined) {
              report({
                instruction,
                command,
                message: `${command.program} is given ${kind} on its command line`,
                evidence: `${command.name} <redacted>`,
              });
              break;
            }
          }
        }
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305',
      'FROM postgres\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db',
      'FROM alpine\nENV PASSWORD=',
      'FROM alpine\nARG TOKEN_URL=https://example.com/token',
      'FROM alpine\nRUN --mount=type=secret,id=token TOKEN=$(cat /run/secrets/token) ./fetch.sh',
      'FROM alpine\nRUN git clone https://${GIT_USER}:${GIT_TOKEN_VAR}@example.com/r.git',
      'FROM alpine\nLABEL org.opencontainers.image.source=https://github.com/x/y',
    ],
    invalid: [
      {
        code: 'FROM alpine\nENV DB_PASSWORD=hunter2',
        errors: [
          { line: 2, column: 5, message: 'ENV DB_PASSWORD looks like a secret and is stored in the image' },
        ],
      },
      {
        code: 'FROM alpine\nARG NPM_TOKEN',
        errors: [
          { line: 2, column: 5, message: 'ARG NPM_TOKEN looks like a secret and is stored in the image' },
        ],
      },
      {
        code: 'FROM alpine\nENV apiKey=abc123',
        errors: [
          { line: 2, column: 5, message: 'ENV apiKey looks like a secret and is stored in the image' },
        ],
      },
      {
        code: 'FROM alpine\nENV A=1 \\\n    AWS_SECRET_ACCESS_KEY=abc',
        errors: [
          {
            line: 3,
            column: 5,
            message: 'ENV AWS_SECRET_ACCESS_KEY looks like a secret and is stored in the image',
          },
        ],
      },
      {
        code: 'FROM alpine\nLABEL deploy.key="AKIAABCDEFGHIJKLMNOP"',
        errors: [{ line: 2, column: 7, message: 'LABEL deploy.key holds an AWS access key id' }],
      },
      {
        code: 'FROM alpine\nRUN git clone https://bob:s3cret@example.com/r.git',
        errors: [{ line: 2, column: 5, message: 'git is given a password in a URL on its command line' }],
      },
    ],
  },
});
