// BH-DF-003: a base image comes from a registry outside the configured allow-list (hadolint DL3026). Inactive until
// `trustedRegistries` is configured. Stage references and scratch are not images.
import { inAllowList, parseImageRef } from '../../shared/image-ref.js';
import { hasUnresolvedVariable, isExternalImage } from '../helpers.js';
import type { SourcePosition } from '../model.js';
import { defineRule } from '../rule.js';

/**
 * `registry.example.com` trusts the whole host; `docker.io/library` trusts one namespace (path prefix); the
 * match is src/shared/image-ref.ts's. A reference Docker would reject pulls nothing, so it is not reported here.
 */
export function isTrusted(image: string, trusted: readonly string[]): boolean {
  const ref = parseImageRef(image);
  return ref.kind !== 'named' || inAllowList(ref, trusted);
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-003',
    aliases: ['DL3026'],
    severity: 'high',
    title: 'Base image from an untrusted registry',
    rationale:
      'A FROM image (or one named by COPY --from or RUN --mount from=) is pulled from a registry that is not on the allow-list. Images from outside the private registry bypass its scanning, signing and mirroring. Images without a registry host come from Docker Hub (docker.io).',
    remediation:
      'Mirror the image into a trusted registry and reference it there, or add the registry to `trustedRegistries` in the lint config.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3026'],
    docsUrl: 'docs/rules/lint.md#bh-df-003',
  },
  check({ model, settings, report }) {
    if (settings.trustedRegistries.length === 0) return;
    const names = new Set(model.stages.map((s) => s.name).filter((n) => n !== null));
    for (const stage of model.stages) {
      if (!isExternalImage(stage) || hasUnresolvedVariable(stage.image)) continue;
      if (!isTrusted(stage.image, settings.trustedRegistries)) {
        report({
          instruction: stage.from,
          message: `${stage.image} is not from a trusted registry (${settings.trustedRegistries.join(', ')})`,
        });
      }
    }
    for (const instruction of model.instructions) {
      // Images pulled by `COPY --from=IMAGE` and `RUN --mount=from=IMAGE` bypass FROM but land in the build too.
      // Each source is reported at the flag that names it.
      const sources: { from: string; at: SourcePosition }[] = [];
      for (const flag of instruction.flags) {
        if (instruction.keyword === 'COPY' && flag.name === 'from' && flag.value !== null)
          sources.push({ from: flag.value, at: flag });
        if (instruction.keyword === 'RUN' && flag.name === 'mount') {
          const from = /(?:^|,)from=([^,]+)/.exec(flag.value ?? '')?.[1];
          if (from !== undefined) sources.push({ from, at: flag });
        }
      }
      for (const { from, at } of sources) {
        if (names.has(from.toLowerCase()) || /^\d+$/.test(from) || hasUnresolvedVariable(from)) continue;
        if (!isTrusted(from, settings.trustedRegistries)) {
          report({
            instruction,
            at: { line: at.line, column: at.column },
            message: `${instruction.keyword} ${instruction.keyword === 'COPY' ? '--from' : '--mount from'}=${from} pulls from an untrusted registry`,
          });
        }
      }
    }
  },
  cases: {
    valid: [
      'FROM alpine',
      {
        code: 'FROM registry.example.com/base/alpine:3.20',
        settings: { trustedRegistries: ['registry.example.com'] },
      },
      { code: 'FROM alpine:3.20', settings: { trustedRegistries: ['docker.io/library'] } },
      {
        code: 'FROM registry.example.com/go AS build\nFROM build\nCOPY --from=build /a /a\nFROM scratch',
        settings: { trustedRegistries: ['registry.example.com'] },
      },
    ],
    invalid: [
      {
        code: 'FROM alpine:3.20',
        settings: { trustedRegistries: ['registry.example.com'] },
        errors: [
          {
            line: 1,
            column: 1,
            message: 'alpine:3.20 is not from a trusted registry (registry.example.com)',
          },
        ],
      },
      {
        code: 'FROM evil.example.net/library/alpine',
        settings: { trustedRegistries: ['docker.io'] },
        errors: [
          {
            line: 1,
            column: 1,
            message: 'evil.example.net/library/alpine is not from a trusted registry (docker.io)',
          },
        ],
      },
      {
        code: 'ARG B=quay.io/x/y:1\nFROM ${B}',
        settings: { trustedRegistries: ['registry.example.com'] },
        errors: [
          {
            line: 2,
            column: 1,
            message: 'quay.io/x/y:1 is not from a trusted registry (registry.example.com)',
          },
        ],
      },
      {
        code: 'FROM registry.example.com/a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx',
        settings: { trustedRegistries: ['registry.example.com'] },
        errors: [{ line: 2, column: 6, message: 'COPY --from=nginx:1.27 pulls from an untrusted registry' }],
      },
      {
        code: 'FROM registry.example.com/go\nRUN --mount=type=bind,from=tonistiigi/xx:1.5,source=/,target=/xx ls /xx',
        settings: { trustedRegistries: ['registry.example.com'] },
        errors: [
          {
            line: 2,
            column: 5,
            message: 'RUN --mount from=tonistiigi/xx:1.5 pulls from an untrusted registry',
          },
        ],
      },
      {
        code: 'FROM docker.io/someone/alpine',
        settings: { trustedRegistries: ['docker.io/library'] },
        errors: [
          {
            line: 1,
            column: 1,
            message: 'docker.io/someone/alpine is not from a trusted registry (docker.io/library)',
          },
        ],
      },
    ],
  },
});
