// Recognisers for secrets in image metadata: variable names that say "secret", and token formats with published,
// distinctive shapes (AWS access key ids, GitHub/GitLab/Slack/Stripe/Google tokens, PEM private keys), after the
// rule sets of gitleaks and Trivy's secret scanner. Shared by the ENV and history rules, and used to redact history
// text before it reaches a report.

const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'SECRET',
  'TOKEN',
  'CREDENTIAL',
  'CREDENTIALS',
  'APIKEY',
  'PASSPHRASE',
]);
const SECRET_PAIRS = [
  ['API', 'KEY'],
  ['ACCESS', 'KEY'],
  ['PRIVATE', 'KEY'],
  ['SECRET', 'KEY'],
  ['AUTH', 'KEY'],
  ['CLIENT', 'SECRET'],
] as const;

/** True when a variable name says it holds a secret ("DB_PASSWORD", "GITHUB_TOKEN"), but not a path to one ("_FILE"). */
export function isSecretName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split(/[_\-.]+/)
    .filter(Boolean);
  if (parts.at(-1) === 'FILE' || parts.at(-1) === 'PATH' || parts.at(-1) === 'DIR') return false;
  if (parts.some((p) => SECRET_WORDS.has(p))) return true;
  return SECRET_PAIRS.some(([a, b]) => parts.some((p, i) => p === a && parts[i + 1] === b));
}

/** Values that are clearly not secrets: empty, placeholders and references to other variables or files. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) ||
    v.startsWith('/run/secrets/') ||
    /^(changeme|change-me|none|null|false|true|<.*>|x+|\*+|\.\.\.)$/i.test(v)
  );
}

export interface TokenMatch {
  readonly kind: string;
  readonly value: string;
}

const TOKEN_PATTERNS: readonly [string, RegExp][] = [
  ['AWS access key id', /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/],
  ['GitHub token', /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,})\b/],
  ['GitHub fine-grained token', /\b(github_pat_[A-Za-z0-9_]{60,})\b/],
  ['GitLab token', /\b(glpat-[A-Za-z0-9_-]{20,})\b/],
  ['Slack token', /\b(xox[baprs]-[A-Za-z0-9-]{10,})\b/],
  ['Stripe live key', /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/],
  ['Google API key', /\b(AIza[0-9A-Za-z_-]{35})\b/],
  ['private key', /(-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----)/],
  ['credentials in URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]{3,})@/i],
];

/** Finds a known token format in free text (an ENV value, a history command). */
export function findToken(text: string): TokenMatch | undefined {
  for (const [kind, pattern] of TOKEN_PATTERNS) {
    const value = pattern.exec(text)?.[1];
    if (value !== undefined && !(kind === 'credentials in URL' && isPlaceholder(value)))
      return { kind, value };
  }
  return undefined;
}

const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z]+ )*)PRIVATE KEY(?: BLOCK)?-----/;

/** Recognises a PEM/OpenSSH/PGP private key in file content; says whether it is passphrase-protected. */
export function findPrivateKey(content: string): { type: string; encrypted: boolean } | undefined {
  const match = PEM_PRIVATE_KEY.exec(content);
  if (match === null) return undefined;
  const type = `${match[1] ?? ''}PRIVATE KEY`.trim();
  const encrypted =
    type.startsWith('ENCRYPTED') ||
    content.includes('Proc-Type: 4,ENCRYPTED') ||
    // openssh-key-v1 with a cipher other than "none" (base64 of "openssh-key-v1\0" + "\0\0\0\x04none")
    (type === 'OPENSSH PRIVATE KEY' &&
      !content.replace(/\s/g, '').includes('b3BlbnNzaC1rZXktdjEAAAAABG5vbmU'));
  return { type, encrypted };
}

/** NAME=value pairs a created_by line assigns: "|2 A=1 B=2 /bin/sh -c ...", "ENV A=1", "ARG A=1", "#(nop)  ENV A=1". */
export function assignmentsIn(createdBy: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const buildArgs = /^\|(\d+)\s+(.*)$/.exec(createdBy);
  let rest = createdBy;
  if (buildArgs !== null) {
    let text = buildArgs[2] ?? '';
    for (let i = 0; i < Number(buildArgs[1]); i += 1) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(text);
      if (m === null) break;
      out.push({ name: m[1] ?? '', value: m[2] ?? '' });
      text = text.slice(m[0].length);
    }
    rest = text;
  }
  const instruction = /(?:^|#\(nop\)\s+)(ENV|ARG)\s+(.*)$/.exec(rest.trim());
  if (instruction !== null) {
    for (const m of (instruction[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      out.push({ name: m[1] ?? '', value: (m[2] ?? '').replace(/^"(.*)"$/, '$1') });
    }
  }
  return out;
}

/** Shows enough of a secret to recognise it, never enough to use it. */
export function redact(value: string): string {
  if (value.length <= 4) return '****';
  return `${value.slice(0, Math.min(4, Math.floor(value.length / 4)))}****`;
}

/** Masks secret-named assignments and known token formats in a history line, so reports do not spread them. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const a of assignmentsIn(text)) {
    if (isSecretName(a.name) && !isPlaceholder(a.value))
      out = out.split(`${a.name}=${a.value}`).join(`${a.name}=${redact(a.value)}`);
  }
  for (
    let token = findToken(out), guard = 0;
    token !== undefined && guard < 20;
    token = findToken(out), guard += 1
  ) {
    if (token.value.endsWith('****')) break;
    out = out.split(token.value).join(redact(token.value));
  }
  return out;
}
