// BH-DF-013: FROM names an image with neither tag nor digest (hadolint DL3006), which means `latest`.
import { hasUnresolvedVariable, isExternalImage, stageImageRef } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-013',
    aliases: ['DL3006'],
    severity: 'medium',
    title: 'Base image without a tag',
    rationale:
      'FROM names an image without tag or digest, which Docker resolves to `latest`. Earlier build stages and `scratch` are not images and are not reported; neither is an image that is still a `${VAR}` without default.',
    remediation:
      'Add an explicit version tag, ideally with a digest: `FROM debian:bookworm-20240701@sha256:...`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3006'],
    docsUrl: 'docs/rules/lint.md#bh-df-013',
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!isExternalImage(stage) || hasUnresolvedVariable(stage.image)) continue;
      const ref = stageImageRef(stage);
      if (ref !== undefined && ref.tag === undefined && ref.digest === undefined)
        // Trivy's DS-0001 and Checkov's CKV_DOCKER_7 treat a missing tag as latest, so their ids match here too.
        report({
          instruction: stage.from,
          message: `${stage.image} has no tag (it means latest)`,
          aliases: ['DS-0001', 'CKV_DOCKER_7'],
        });
    }
  },
  cases: {
    valid: [
      'FROM alpine:3.20',
      'FROM scratch',
      'FROM golang:1.22 AS build\nFROM build',
      'ARG IMG\nFROM ${IMG}',
      'FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    ],
    invalid: [
      {
        code: 'FROM alpine',
        errors: [{ line: 1, column: 1, message: 'alpine has no tag (it means latest)' }],
      },
      {
        code: 'ARG B=debian\nFROM ${B} AS b',
        errors: [{ line: 2, column: 1, message: 'debian has no tag (it means latest)' }],
      },
      {
        code: 'FROM localhost:5000/app',
        errors: [{ line: 1, column: 1, message: 'localhost:5000/app has no tag (it means latest)' }],
      },
    ],
  },
});
