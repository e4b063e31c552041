// BH-I-004: containers are started from an image pinned by digest, so what runs is what was reviewed (no CIS
// item; docs.docker.com/engine/reference/commandline/pull/#pull-an-image-by-digest-immutable-identifier).
import { checkImages, ev, fail, pass } from '../../check.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { ID, withImage } from '../../cases/image.js';
import { image } from '../../cases/facts.js';
import { namesImageId, parseImageRef } from '../../../shared/image-ref.js';

const cases: readonly AuditCase[] = [
  withImage('image id passes', ID, image(ID), 'pass', ['Config.Image=sha256:']),
  withImage('tag fails', 'busybox:latest', image(ID), 'fail', ['Config.Image=busybox:latest']),
  withImage(
    'digest passes',
    'busybox@sha256:' + 'c'.repeat(64),
    image(ID, { RepoDigests: ['busybox@sha256:' + 'c'.repeat(64)] }),
    'pass',
  ),
  // go-digest accepts sha384 and sha512 too: a sha512 pin is a pin
  withImage('sha512 digest passes', `busybox@sha512:${'d'.repeat(128)}`, image(ID), 'pass'),
  withImage('short image id passes', 'b'.repeat(12), image(ID), 'pass', ['Config.Image=bbbbbbbbbbbb']),
  // hex that is not a prefix of the image's id was resolved as a name (docker.io/library/cafebabecafe:latest)
  withImage('hex name that is not the id fails', 'cafebabecafe', image(ID), 'fail'),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-I-004',
    aliases: [],
    severity: 'low',
    title: 'Image is referenced by digest',
    rationale:
      'A tag can be moved to other content at any time; a digest names exactly one image, so a scan or review of it stays valid.',
    remediation:
      'Start containers with IMAGE@sha256:... (docker inspect --format "{{index .RepoDigests 0}}" IMAGE).',
    references: [
      'https://docs.docker.com/engine/reference/commandline/pull/#pull-an-image-by-digest-immutable-identifier',
    ],
    docsUrl: 'docs/rules/audit.md#bh-i-004',
  },
  area: 'image',
  needs: 'engine',
  check: checkImages((image) => {
    const digests = image.inspect?.RepoDigests ?? [];
    const ref = parseImageRef(image.ref);
    if (ref.kind === 'named' && ref.digest !== undefined)
      return pass('pinned by digest', ev('Config.Image', image.ref));
    if (namesImageId(image.ref, image.id))
      return pass(
        'started by image id (immutable)',
        ev('Config.Image', image.ref),
        ev('RepoDigests', digests),
      );
    return fail(
      digests.length === 0
        ? 'referenced by tag, and the image has no registry digest (built or loaded locally)'
        : 'referenced by a mutable tag',
      ev('Config.Image', image.ref, 'NAME@sha256:...'),
      ev('RepoDigests', digests),
    );
  }),
  cases,
};
