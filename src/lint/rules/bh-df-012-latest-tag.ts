// BH-DF-012: FROM uses the `latest` tag (hadolint DL3007, Trivy DS-0001): the base changes under the build.
import { hasUnresolvedVariable, isExternalImage, stageImageRef } from '../helpers.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-012',
    aliases: ['DL3007', 'DS-0001', 'CKV_DOCKER_7'],
    severity: 'medium',
    title: 'Base image uses the latest tag',
    rationale:
      'FROM names the `latest` tag. It moves with every upstream release, so two builds of the same Dockerfile get different bases and a breaking or vulnerable release slips in unnoticed. A digest pin next to the tag is accepted.',
    remediation: 'Use a specific version tag (`alpine:3.20`), ideally with a digest.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3007',
      'https://avd.aquasec.com/misconfig/ds001',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-012',
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (!isExternalImage(stage) || hasUnresolvedVariable(stage.image)) continue;
      const ref = stageImageRef(stage);
      if (ref?.tag === 'latest' && ref.digest === undefined)
        report({ instruction: stage.from, message: `${stage.image} uses the latest tag` });
    }
  },
  cases: {
    valid: [
      'FROM alpine:3.20',
      'FROM alpine:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      'FROM a:1 AS latest\nFROM latest',
    ],
    invalid: [
      {
        code: 'FROM alpine:latest',
        errors: [{ line: 1, column: 1, message: 'alpine:latest uses the latest tag' }],
      },
      {
        code: 'FROM localhost:5000/app:latest',
        errors: [{ line: 1, column: 1, message: 'localhost:5000/app:latest uses the latest tag' }],
      },
    ],
  },
});
