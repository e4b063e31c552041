// BH-I-003: images in use come from a registry on the config file's allow-list (CIS 1.6.0 4.2, 1.8.0 4.2
// "only trusted base images", made checkable with trustedRegistries).
import { checkImages, ev, fail, notApplicable, pass, skip } from '../../check.js';
import { inAllowList, parseImageRef, type NamedImageRef } from '../../../shared/image-ref.js';
import type { AuditRule } from '../../rule.js';

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
};
