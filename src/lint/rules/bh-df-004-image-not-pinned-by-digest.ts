// BH-DF-004: a base image is referenced by tag only, so the bytes behind it can change between builds. Digest pins
// (`image:tag@sha256:...`) make builds reproducible and stop a re-pushed tag from swapping the base.
import { hasUnresolvedVariable, isExternalImage, stageImageRef } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-004',
    aliases: [],
    severity: 'low',
    title: 'Base image not pinned by digest',
    rationale:
      'FROM names an image by tag without `@sha256:` digest. Tags are mutable: whoever can push to the repository can change what the build starts from.',
    remediation:
      'Pin the digest: `FROM alpine:3.20@sha256:<digest>` (get it with `docker buildx imagetools inspect alpine:3.20`), and let a bot such as Renovate update it.',
    references: ['https://docs.docker.com/build/building/best-practices/#pin-base-image-versions'],
    docsUrl: 'docs/rules/lint.md#bh-df-004',
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!isExternalImage(stage) || hasUnresolvedVariable(stage.image)) continue;
      const ref = stageImageRef(stage);
      if (ref !== undefined && ref.digest === undefined)
        report({ instruction: stage.from, message: `${stage.image} is not pinned by digest` });
    }
  },
  cases: {
    valid: [
      'FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      'FROM scratch',
      'FROM golang@sha256:1111111111111111111111111111111111111111111111111111111111111111 AS b\nFROM b',
      'ARG BASE\nFROM ${BASE}',
    ],
    invalid: [
      {
        code: 'FROM alpine:3.20',
        errors: [{ line: 1, column: 1, message: 'alpine:3.20 is not pinned by digest' }],
      },
      {
        code: 'ARG V=3.20\nFROM alpine:${V} AS a\nFROM a\nFROM debian',
        errors: [
          { line: 2, column: 1, message: 'alpine:3.20 is not pinned by digest' },
          { line: 4, column: 1, message: 'debian is not pinned by digest' },
        ],
      },
    ],
  },
});
