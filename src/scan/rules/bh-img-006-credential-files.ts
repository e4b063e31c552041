// BH-IMG-006 (formerly BH-IMG-CREDENTIAL-FILES): credential files with credentials in them, in any layer (CIS Docker Benchmark 1.6.0
// section 4.10): cloud (~/.aws/credentials, ~/.s3cfg), registry (~/.docker/config.json auths), package registries
// (.npmrc, .pypirc), git (.git-credentials, .netrc), databases (.pgpass) and Kubernetes (~/.kube/config).
import { posix } from 'node:path';
import type { RuleMeta } from '../../shared/rule.js';
import { type ImageCase, imageFinding, type ImageRule, passFinding } from '../rule.js';
import { factsWith, candidate } from '../cases.js';

const meta: RuleMeta = {
  id: 'BH-IMG-006',
  aliases: ['BH-IMG-CREDENTIAL-FILES', 'CIS-1.6.0:4.10', 'CIS-1.8.0:4.10'],
  severity: 'high',
  title: 'Credential file in image layer',
  rationale:
    'Credential files copied into an image stay readable in its layer blobs even when deleted later.',
  remediation:
    'Rotate the credentials, then rebuild without copying the file into any layer (add it to .dockerignore; use `RUN --mount=type=secret` for build-time access).',
  references: ['https://docs.docker.com/build/building/secrets/'],
  docsUrl: 'docs/rules/scan.md#bh-img-006',
};

/** What kind of credentials a file holds, by its name and content; undefined when it holds none. */
export function credentialKind(path: string, content: string): string | undefined {
  const base = posix.basename(path);
  if (path.endsWith('.aws/credentials') && /aws_secret_access_key\s*=\s*\S/i.test(content))
    return 'AWS credentials';
  if (
    path.endsWith('.docker/config.json') &&
    /"auth"\s*:\s*"[^"]+"|"identitytoken"\s*:\s*"[^"]+"/.test(content)
  )
    return 'registry credentials';
  if (path.endsWith('.kube/config') && /^\s*(token|client-key-data|password):\s*\S/m.test(content))
    return 'Kubernetes credentials';
  if (base === '.netrc' && /\bpassword\s+\S/.test(content)) return 'netrc password';
  if (base === '.git-credentials' && /:\/\/[^\s:@]+:[^\s@]+@/.test(content)) return 'git credentials';
  if (base === '.npmrc' && /(_authToken|_auth|_password)\s*=\s*\S/.test(content)) return 'npm registry token';
  if (base === '.pypirc' && /^\s*password\s*[=:]\s*\S/m.test(content)) return 'PyPI password';
  if (base === '.pgpass' && /^[^#\s][^:\n]*:[^:\n]*:[^:\n]*:[^:\n]*:\S/m.test(content))
    return 'PostgreSQL password';
  if (base === '.s3cfg' && /^\s*secret_key\s*=\s*\S/m.test(content)) return 's3cmd secret key';
  if (path.endsWith('.config/gcloud/credentials.db') && content.length > 0) return 'gcloud credentials';
  return undefined;
}

const cases: readonly ImageCase[] = [
  {
    name: 'docker config, npmrc and aws credentials',
    facts: factsWith({
      secretCandidates: [
        candidate('root/.docker/config.json', '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}'),
        candidate('app/.npmrc', '//registry.npmjs.org/:_authToken=npm_0123456789abcdef\n'),
        candidate(
          'root/.aws/credentials',
          '[default]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI\n',
        ),
      ],
    }),
    fails: [
      'registry credentials in /root/.docker/config.json',
      'npm registry token in /app/.npmrc',
      'AWS credentials in /root/.aws/credentials',
    ],
  },
  {
    name: 'empty templates are not credentials',
    facts: factsWith({
      secretCandidates: [
        candidate('root/.docker/config.json', '{"auths":{}}'),
        candidate('app/.npmrc', 'save-exact=true\n'),
      ],
    }),
    fails: [],
    outcome: 'pass',
  },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    const findings = facts.secretCandidates.flatMap((c) => {
      const kind = credentialKind(c.path, c.content);
      if (kind === undefined) return [];
      const where = c.layer === undefined ? '' : ` in layer ${c.layer.index}`;
      return [
        imageFinding(meta, facts, {
          message: `${kind} in /${c.path}${where}${c.removedLater ? ', deleted later but still in that layer' : ''}`,
          evidence: [{ source: `/${c.path}`, value: kind }],
          layer: c.layer,
          path: c.path,
        }),
      ];
    });
    return findings.length > 0 ? findings : [passFinding(meta, facts, 'no credential files')];
  },
  cases,
};
