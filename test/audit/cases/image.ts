// Case tables for the image rules (BH-I-*).
import { buildFacts, container, image } from '../facts-builder.js';
import type { CaseTable, Expect, RuleCase } from './types.js';

const ID = 'sha256:' + 'b'.repeat(64);
const withImage = (
  name: string,
  ref: string,
  img: ReturnType<typeof image>,
  outcome: Expect['outcome'],
  evidence?: string[],
): RuleCase => ({
  name,
  facts: buildFacts({
    containers: [container('web', {}, { Image: img.Id, Config: { Image: ref } })],
    images: [img],
  }),
  expect: [{ target: ref, outcome, ...(evidence === undefined ? {} : { evidence }) }],
});

export const imageCases: CaseTable = {
  'BH-IMG-001': [
    withImage('root image fails', 'busybox:latest', image(ID), 'fail', ['Config.User=""']),
    withImage('USER 0:0 fails', 'app:0', image(ID, { Config: { User: '0:0' } }), 'fail'),
    withImage('USER root fails', 'app:r', image(ID, { Config: { User: 'root' } }), 'fail'),
    withImage('USER 1000 passes', 'app:1', image(ID, { Config: { User: '1000' } }), 'pass'),
    withImage(
      'USER app passes (no /etc/passwd over the Engine API)',
      'app:2',
      image(ID, { Config: { User: 'app' } }),
      'pass',
    ),
    {
      name: 'image removed while in use skips',
      facts: buildFacts({
        containers: [container('web', {}, { Image: ID, Config: { Image: 'gone:1' } })],
        images: [],
      }),
      expect: [{ target: 'gone:1', outcome: 'skip' }],
    },
  ],
  'BH-I-002': [
    withImage('no HEALTHCHECK fails', 'busybox:latest', image(ID), 'fail'),
    withImage(
      'HEALTHCHECK passes',
      'app:1',
      image(ID, { Config: { Healthcheck: { Test: ['CMD-SHELL', 'true'] } } }),
      'pass',
    ),
  ],
  'BH-I-003': [
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
  ],
  'BH-I-004': [
    withImage('image id passes', ID, image(ID), 'pass', ['Config.Image=sha256:']),
    withImage('tag fails', 'busybox:latest', image(ID), 'fail', ['Config.Image=busybox:latest']),
    withImage(
      'digest passes',
      'busybox@sha256:' + 'c'.repeat(64),
      image(ID, { RepoDigests: ['busybox@sha256:' + 'c'.repeat(64)] }),
      'pass',
    ),
  ],
};
