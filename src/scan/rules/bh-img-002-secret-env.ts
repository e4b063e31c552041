// BH-IMG-002 (formerly BH-IMG-SECRET-ENV): secrets in the image's environment (CIS Docker Benchmark 1.6.0 section 4.10, "Ensure secrets
// are not stored in Dockerfiles"). ENV values are visible to anyone who can pull or inspect the image.
import type { RuleMeta } from '../../shared/rule.js';
import { type ImageCase, imageFinding, type ImageRule, notApplicable, passFinding, redact } from '../rule.js';
import { findToken, isPlaceholder, isSecretName } from '../../image/secrets.js';
import { factsWith } from '../cases.js';

const meta: RuleMeta = {
  id: 'BH-IMG-002',
  aliases: ['BH-IMG-SECRET-ENV', 'CIS-1.6.0:4.10', 'CIS-1.8.0:4.10'],
  severity: 'high',
  title: 'Secret in image environment',
  rationale:
    'ENV values are stored in the image configuration and shown by `docker inspect` to anyone with the image.',
  remediation:
    'Remove the value from ENV and rotate it; pass secrets at run time (docker secrets, --env-file kept out of the image) or mount them with `RUN --mount=type=secret` at build time.',
  references: ['https://docs.docker.com/build/building/secrets/'],
  docsUrl: 'docs/rules/scan.md#bh-img-002',
};

const cases: readonly ImageCase[] = [
  {
    name: 'password and AWS key',
    facts: factsWith({ env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter22', 'AWS_ID=AKIAIOSFODNN7EXAMPLE'] }),
    fails: ['ENV DB_PASSWORD looks like a secret', 'ENV AWS_ID holds a AWS access key id'],
  },
  {
    name: 'placeholders, _FILE and GPG_KEY are not secrets',
    facts: factsWith({
      env: [
        'DB_PASSWORD_FILE=/run/secrets/db',
        'API_TOKEN=',
        'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
        'SECRET=${SECRET}',
      ],
    }),
    fails: [],
    outcome: 'pass',
  },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    if (facts.config === undefined)
      return [notApplicable(meta, facts, 'a root filesystem has no image configuration')];
    const findings = [];
    for (const entry of facts.config.env) {
      const eq = entry.indexOf('=');
      const name = eq < 0 ? entry : entry.slice(0, eq);
      const value = eq < 0 ? '' : entry.slice(eq + 1);
      const token = findToken(value);
      if (token !== undefined) {
        findings.push(
          imageFinding(meta, facts, {
            message: `ENV ${name} holds a ${token.kind}`,
            evidence: [{ source: `Config.Env ${name}`, value: redact(token.value) }],
          }),
        );
      } else if (isSecretName(name) && !isPlaceholder(value)) {
        findings.push(
          imageFinding(meta, facts, {
            message: `ENV ${name} looks like a secret (${value.length} characters)`,
            evidence: [{ source: `Config.Env ${name}`, value: redact(value) }],
          }),
        );
      }
    }
    return findings.length > 0
      ? findings
      : [passFinding(meta, facts, `${facts.config.env.length} ENV values, none secret`)];
  },
  cases,
};
