// BH-I-003: images in use come from a registry on the config file's allow-list (CIS 1.6.0 4.2, 1.8.0 4.2
// "only trusted base images", made checkable with trustedRegistries).
import { checkImages, ev, fail, notApplicable, pass, skip } from '../../check.js';
import { inAllowList, parseImageRef, type NamedImageRef } from '../../../shared/image-ref.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { ID, withImage } from '../../cases/image.js';
import { image } from '../../cases/facts.js';

const cases: readonly AuditCase[] = [
  withImage('docker.io image against allow-list docker.io passes', 'busybox:latest', image(ID), 'pass', [
    'image reference=busybox:latest',
  ]),
  withImage(
    'other registry fails',
    'evil.example.com/x:1',
    image(ID, { RepoTags: ['evil.example.com/x:1'] }),
    'fail',
    ['image reference=evil.example.com/x:1'],
  ),
  withImage(
    'localhost:5000 fails',
    'localhost:5000/app:1',
    image(ID, { RepoTags: ['localhost:5000/app:1'] }),
    'fail',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-I-003',
    aliases: ['CIS-1.6.0:4.2', 'CIS-1.8.0:4.2'],
    severity: 'medium',
    title: 'Image comes from a trusted registry',
    rationale:
      'Images from registries outside the allow-list bypass whatever review and scanning the trusted registries enforce.',
    remediation:
      'Mirror the image into a trusted registry, or add its registry to trustedRegistries in the bulkhead config.',
    references: ['https://docs.docker.com/engine/security/trust/'],
    docsUrl: 'docs/rules/audit.md#bh-i-003',
  },
  area: 'image',
  needs: 'engine',
  check: checkImages((image, ctx) => {
    const trusted = ctx.settings.trustedRegistries;
    if (trusted.length === 0)
      return notApplicable('no registry allow-list (trustedRegistries in the config file)');
    const refs = [image.ref, ...(image.inspect?.RepoTags ?? []), ...(image.inspect?.RepoDigests ?? [])];
    const parsed = refs.map(parseImageRef).filter((r): r is NamedImageRef => r.kind === 'named');
    const first = parsed[0];
    if (first === undefined)
      return skip(
        `image ${image.ref} has no name: its registry is unknown`,
        ev('RepoTags', image.inspect?.RepoTags ?? []),
      );
    const ok = inAllowList(first, trusted);
    const evidence = ev('image reference', image.ref, `a registry in ${trusted.join(', ')}`);
    return ok
      ? pass(`registry ${first.domain} is trusted`, evidence)
      : fail(`registry ${first.domain} is not in trustedRegistries`, evidence);
  }),
  cases,
};
