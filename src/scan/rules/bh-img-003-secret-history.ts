// BH-IMG-003 (formerly BH-IMG-SECRET-HISTORY): secrets in the image history (CIS Docker Benchmark 1.6.0 section 4.10). Build arguments used
// by RUN are recorded as "|N NAME=value ..." in created_by, and ENV/ARG lines keep their values, even when a later
// instruction unsets them — `docker history --no-trunc` shows them to anyone with the image.
import type { RuleMeta } from '../../shared/rule.js';
import {
  type ImageCase,
  imageFinding,
  type ImageRule,
  layerOfHistory,
  notApplicable,
  passFinding,
  redact,
} from '../rule.js';
import { assignmentsIn, findToken, isPlaceholder, isSecretName } from '../../image/secrets.js';
import { LAYER0, LAYER1, factsWith } from '../cases.js';

export { assignmentsIn };

const meta: RuleMeta = {
  id: 'BH-IMG-003',
  aliases: ['BH-IMG-SECRET-HISTORY', 'CIS-1.6.0:4.10', 'CIS-1.8.0:4.10'],
  severity: 'high',
  title: 'Secret in image history',
  rationale: 'The history of an image keeps build arguments, ENV and ARG values and RUN command lines.',
  remediation:
    'Rotate the secret and rebuild without it: use `RUN --mount=type=secret` (BuildKit) instead of ARG/ENV, and never put credentials on a RUN command line.',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://docs.docker.com/reference/cli/docker/image/history/',
  ],
  docsUrl: 'docs/rules/scan.md#bh-img-003',
};

const cases: readonly ImageCase[] = [
  {
    name: 'build arg and ENV later unset',
    facts: factsWith({
      history: [
        { createdBy: 'ADD rootfs.tar /', emptyLayer: false },
        {
          createdBy: '/bin/sh -c #(nop)  ENV GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          emptyLayer: true,
        },
        { createdBy: LAYER1.createdBy, emptyLayer: false },
        { createdBy: 'RUN curl -u admin:s3cretpw https://example.com/x', emptyLayer: true },
      ],
      layers: [
        { ...LAYER0, compression: 'none', uncompressedBytes: 0, entries: 0 },
        { ...LAYER1, compression: 'none', uncompressedBytes: 0, entries: 0 },
      ],
    }),
    fails: ['history entry 1 records GITHUB_TOKEN=', 'history entry 2 records NPM_TOKEN='],
  },
  {
    name: 'URL credentials in RUN',
    facts: factsWith({
      history: [{ createdBy: 'RUN git clone https://bot:Zx81ab9q@git.example.com/r.git', emptyLayer: false }],
    }),
    fails: ['history entry 0 contains a credentials in URL'],
  },
  { name: 'clean history', facts: factsWith(), fails: [], outcome: 'pass' },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    if (facts.config === undefined)
      return [notApplicable(meta, facts, 'a root filesystem has no image history')];
    const env = new Set(facts.config.env);
    const findings = [];
    for (const [index, entry] of facts.history.entries()) {
      const createdBy = entry.createdBy ?? '';
      const layer = layerOfHistory(facts, index);
      const source = `history[${index}].created_by`;
      const secrets = assignmentsIn(createdBy).filter(
        // still in Config.Env: BH-IMG-SECRET-ENV reports it
        (a) => isSecretName(a.name) && !isPlaceholder(a.value) && !env.has(`${a.name}=${a.value}`),
      );
      for (const a of secrets) {
        findings.push(
          imageFinding(meta, facts, {
            message: `history entry ${index} records ${a.name}=${redact(a.value)}`,
            evidence: [{ source, value: `${a.name}=${redact(a.value)}` }],
            layer,
          }),
        );
      }
      const token = secrets.length === 0 ? findToken(createdBy) : undefined;
      if (token !== undefined && !env.has(createdBy)) {
        findings.push(
          imageFinding(meta, facts, {
            message: `history entry ${index} contains a ${token.kind}`,
            evidence: [{ source, value: redact(token.value) }],
            layer,
          }),
        );
      }
    }
    return findings.length > 0
      ? findings
      : [passFinding(meta, facts, `${facts.history.length} history entries, no secrets`)];
  },
  cases,
};
