// BH-DF-009: COPY/ADD puts a credential file into the image (SSH private keys, cloud and registry credentials,
// package manager tokens, keystores, kubeconfig, .env). Every layer keeps it, even if a later RUN deletes it.
import { allInstructions } from '../model.js';
import { copyOperands } from '../helpers.js';
import { defineRule } from '../rule.js';

const CREDENTIAL_FILES: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /(^|\/)id_(rsa|dsa|ecdsa|ed25519)$/, what: 'an SSH private key' },
  { pattern: /(^|\/)\.ssh(\/|$)/, what: 'an .ssh directory' },
  { pattern: /(^|\/)\.aws(\/credentials|\/config)?\/?$/, what: 'AWS credentials' },
  { pattern: /(^|\/)\.docker\/config\.json$|(^|\/)\.dockercfg$/, what: 'registry credentials' },
  {
    pattern: /(^|\/)\.(npmrc|pypirc|netrc|git-credentials|vault-token|htpasswd|pgpass|my\.cnf)$/,
    what: 'a credentials file',
  },
  { pattern: /(^|\/)\.kube\/config$|(^|\/)kubeconfig$/, what: 'a kubeconfig' },
  {
    pattern: /(^|\/)(application_default_credentials|credentials|service[-_]?account[^/]*)\.json$/i,
    what: 'cloud credentials',
  },
  {
    pattern: /(^|\/)[^/]*\.(key|p12|pfx|jks|keystore)$|(^|\/)[^/]*[-_.]key\.pem$|(^|\/)private[^/]*\.pem$/i,
    what: 'a private key or keystore',
  },
  { pattern: /(^|\/)\.env(\.[a-z]+)?$/, what: 'a dotenv file' },
];

const PUBLIC_KEY_DEST =
  /\.(pub|asc|gpg)$|^\/(usr\/share\/keyrings|etc\/apt|etc\/apk\/keys|etc\/pki\/rpm-gpg)(\/|$)/;

export function credentialKind(path: string): string | undefined {
  const normal = path.replace(/\/+$/, '');
  if (
    normal.endsWith('.pub') ||
    normal.endsWith('.example') ||
    normal.endsWith('.sample') ||
    normal.endsWith('.template')
  )
    return undefined;
  return CREDENTIAL_FILES.find((c) => c.pattern.test(normal) || c.pattern.test(`${normal}/`))?.what;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-009',
    aliases: [],
    severity: 'high',
    title: 'Credential file copied into the image',
    rationale:
      'COPY or ADD copies a file that holds credentials: SSH private keys or ~/.ssh, ~/.aws, ~/.docker/config.json, .npmrc, .pypirc, .netrc, .git-credentials, kubeconfig, private keys and keystores (*.key, *.p12, *.jks), or a .env file. Layers are immutable: deleting the file later does not remove it from the image.',
    remediation:
      'Use `RUN --mount=type=secret` or `--mount=type=ssh` for build-time credentials, and mount runtime credentials as secrets. Add the files to .dockerignore.',
    references: [
      'https://docs.docker.com/build/building/secrets/',
      'https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#cis-di-0010',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-009',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      const operands = copyOperands(instruction, model.escape);
      if (operands === undefined) continue;
      const { sources, dest } = operands;
      // Public signing keys are often named *.key (repository Release.key, jenkins.io.key): a destination that
      // is a public-key location, or a download URL, is not a private credential.
      if (PUBLIC_KEY_DEST.test(dest)) continue;
      for (const source of sources) {
        if (/^[a-z]+:\/\//i.test(source)) continue;
        const kind = credentialKind(source.replace(/^["']|["']$/g, ''));
        if (kind !== undefined)
          report({ instruction, message: `${instruction.keyword} copies ${source} (${kind})` });
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine\nCOPY app.py /app/',
      'FROM alpine\nCOPY id_rsa.pub /root/.ssh/authorized_keys',
      'FROM alpine\nCOPY .env.example /app/.env.example',
      'FROM alpine\nCOPY certs/ca.pem /usr/local/share/ca-certificates/ca.crt',
      'FROM jenkins/base\nCOPY jenkins.io-2026.key /war/jenkins-key.pub',
      'FROM debian\nADD https://download.example.org/repo/Release.key /etc/apt/trusted.gpg.d/repo.asc',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCOPY id_rsa /root/.ssh/id_rsa',
        errors: [{ line: 2, column: 1, message: 'COPY copies id_rsa (an SSH private key)' }],
      },
      {
        code: 'FROM alpine\nCOPY .aws/credentials /root/.aws/credentials',
        errors: [{ line: 2, column: 1, message: 'COPY copies .aws/credentials (AWS credentials)' }],
      },
      {
        code: 'FROM node\nCOPY .npmrc package.json ./',
        errors: [{ line: 2, column: 1, message: 'COPY copies .npmrc (a credentials file)' }],
      },
      {
        code: 'FROM alpine\nADD ["server.key", "/etc/ssl/private/"]',
        errors: [{ line: 2, column: 1, message: 'ADD copies server.key (a private key or keystore)' }],
      },
      {
        code: 'FROM alpine\nCOPY --chown=app .env /app/',
        errors: [{ line: 2, column: 1, message: 'COPY copies .env (a dotenv file)' }],
      },
      {
        code: 'FROM alpine\nCOPY ~/.ssh /root/.ssh',
        errors: [{ line: 2, column: 1, message: 'COPY copies ~/.ssh (an .ssh directory)' }],
      },
    ],
  },
});
