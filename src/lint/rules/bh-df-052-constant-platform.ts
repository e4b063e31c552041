// BH-DF-052: FROM --platform with a constant value (hadolint DL3029): it breaks multi-platform builds; use the
// BUILDPLATFORM/TARGETPLATFORM build args instead.
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-052',
    aliases: ['DL3029'],
    severity: 'info',
    title: 'FROM --platform with a constant',
    rationale:
      '`FROM --platform=linux/amd64` pins a stage to one platform, so `docker buildx build --platform ...` builds that stage under emulation or for the wrong architecture. Values using variables ($BUILDPLATFORM, $TARGETPLATFORM) are the intended use and are not reported.',
    remediation: 'Use `FROM --platform=$BUILDPLATFORM` for build stages, or drop the flag.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3029',
      'https://docs.docker.com/build/building/multi-platform/',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-052',
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const flag = stage.from.flags.find((f) => f.name === 'platform');
      if (flag?.value != null && !flag.value.includes('$'))
        report({ instruction: stage.from, message: `FROM --platform=${flag.value} fixes the platform` });
    }
  },
  cases: {
    valid: ['FROM --platform=$BUILDPLATFORM golang AS b', 'FROM alpine'],
    invalid: [
      {
        code: 'FROM --platform=linux/amd64 alpine',
        errors: [{ line: 1, column: 1, message: 'FROM --platform=linux/amd64 fixes the platform' }],
      },
    ],
  },
});
