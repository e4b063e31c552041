// BH-DF-002: the final stage sets no USER at all (Trivy DS-0002), so it runs as whatever the base image says, which
// for almost every public base image is root. Windows stages are skipped: their default user depends on the base.
import { finalStage, type Stage } from '../model.js';
import { defineRule } from '../rule.js';
import { effectiveUser } from './bh-df-001-final-user-root.js';

/**
 * A final stage rooted at scratch with no CMD or ENTRYPOINT is a file export (`docker buildx build --output`), not an
 * image anyone runs; BuildKit's own Dockerfiles end this way.
 */
function isArtifactOnly(stage: Stage): boolean {
  let root: Stage = stage;
  for (let s: Stage | null = stage; s !== null; s = s.parent) {
    root = s;
    if (s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) return false;
  }
  return root.image.toLowerCase() === 'scratch';
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-002',
    aliases: ['DS-0002', 'CKV_DOCKER_3'],
    severity: 'medium',
    title: 'Final stage sets no USER',
    rationale:
      'No USER instruction is in effect in the final stage (including the stages it builds on), so the container runs as the base image user, which is root for nearly all public images. Images that drop privileges in their entrypoint (gosu, su-exec) still start as root.',
    remediation:
      'Add `USER <unprivileged user>` to the final stage. If the entrypoint must start as root to drop privileges, suppress with `# bulkhead ignore=BH-DF-002` and say why.',
    references: [
      'https://avd.aquasec.com/misconfig/ds002',
      'https://docs.docker.com/build/building/best-practices/#user',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-002',
  },
  check({ model, report }) {
    const stage = finalStage(model);
    if (stage === undefined || stage.index === -1 || stage.windows || isArtifactOnly(stage)) return;
    if (effectiveUser(stage) === undefined)
      report({ instruction: stage.from, message: `the final stage (FROM ${stage.image}) never sets USER` });
  },
  cases: {
    valid: [
      'FROM alpine\nUSER app',
      'FROM alpine AS base\nUSER 1000\nFROM base\nRUN id',
      'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir',
      'FROM golang:1.23 AS build\nRUN go build -o /out/app\nFROM scratch AS binaries\nCOPY --from=build /out/app /',
    ],
    invalid: [
      {
        code: 'FROM alpine\nRUN id',
        errors: [{ line: 1, column: 1, message: 'the final stage (FROM alpine) never sets USER' }],
      },
      {
        code: 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]',
        errors: [{ line: 1, column: 1, message: 'the final stage (FROM scratch) never sets USER' }],
      },
      {
        code: 'FROM alpine AS build\nUSER app\nFROM alpine\nCOPY --from=build /a /a',
        errors: [{ line: 3, column: 1, message: 'the final stage (FROM alpine) never sets USER' }],
      },
    ],
  },
});
