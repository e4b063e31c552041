// BH-IMG-005 (formerly BH-IMG-PRIVATE-KEY): private keys in image layers (CIS Docker Benchmark 1.6.0 section 4.10). Judged per layer: a
// key deleted by a later layer is still readable from the earlier layer's blob by anyone who pulls the image.
import type { RuleMeta } from '../../shared/rule.js';
import { type ImageCase, imageFinding, type ImageRule, passFinding } from '../rule.js';
import { findPrivateKey } from '../../image/secrets.js';
import { factsWith, RSA_KEY, candidate } from '../cases.js';

const meta: RuleMeta = {
  id: 'BH-IMG-005',
  aliases: ['BH-IMG-PRIVATE-KEY', 'CIS-1.6.0:4.10', 'CIS-1.8.0:4.10'],
  severity: 'high',
  title: 'Private key in image layer',
  rationale: 'Layer blobs are distributed as-is; every file a layer added can be extracted from it.',
  remediation:
    'Revoke and replace the key, then rebuild so that no layer ever contains it (deleting it in a later layer is not enough): mount it at run time or with `RUN --mount=type=secret`.',
  references: ['https://docs.docker.com/build/building/secrets/'],
  docsUrl: 'docs/rules/scan.md#bh-img-005',
};

const cases: readonly ImageCase[] = [
  {
    name: 'key deleted later is still reported',
    facts: factsWith({ secretCandidates: [candidate('root/.ssh/id_rsa', RSA_KEY, true)] }),
    fails: ['RSA PRIVATE KEY /root/.ssh/id_rsa in layer 0, deleted later but still in that layer'],
  },
  {
    name: 'certificates are not keys',
    facts: factsWith({
      secretCandidates: [candidate('etc/ssl/certs/ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n')],
    }),
    fails: [],
    outcome: 'pass',
  },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    const findings = facts.secretCandidates.flatMap((c) => {
      const key = findPrivateKey(c.content);
      if (key === undefined) return [];
      const where = c.layer === undefined ? '' : ` in layer ${c.layer.index}`;
      return [
        imageFinding(meta, facts, {
          message: `${key.encrypted ? 'passphrase-protected ' : ''}${key.type} /${c.path}${where}${c.removedLater ? ', deleted later but still in that layer' : ''}`,
          evidence: [{ source: `/${c.path}`, value: key.type }],
          layer: c.layer,
          path: c.path,
          ...(key.encrypted ? { severity: 'medium' as const } : {}),
        }),
      ];
    });
    return findings.length > 0 ? findings : [passFinding(meta, facts, 'no private keys')];
  },
  cases,
};
