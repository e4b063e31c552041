// BH-DF-062: the final image has no HEALTHCHECK (hadolint DL3057, Trivy DS-0026). Low value when an orchestrator
// probes the service, so severity info; `HEALTHCHECK NONE` counts as an explicit decision.
import { finalStage, type Stage } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-062',
    aliases: ['DL3057', 'DS-0026', 'CKV_DOCKER_2'],
    severity: 'info',
    title: 'No HEALTHCHECK',
    rationale:
      'The final stage (with the stages it builds on) has no HEALTHCHECK, so plain Docker cannot tell a hung service from a healthy one. Kubernetes ignores HEALTHCHECK and uses probes, which is why this is informational; `HEALTHCHECK NONE` is accepted as a decision. Images without a long-running command (no CMD or ENTRYPOINT in the file) are skipped.',
    remediation:
      'Add `HEALTHCHECK CMD ["/app", "health"]`, or `HEALTHCHECK NONE` to document that the orchestrator probes it.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3057',
      'https://avd.aquasec.com/misconfig/ds026',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-062',
  },
  check({ model, report }) {
    const stage = finalStage(model);
    if (stage === undefined || stage.index === -1) return;
    let hasCommand = false;
    for (let s: Stage | null = stage; s !== null; s = s.parent) {
      if (s.instructions.some((i) => i.keyword === 'HEALTHCHECK')) return;
      if (s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) hasCommand = true;
    }
    if (hasCommand) report({ instruction: stage.from, message: 'the final stage has no HEALTHCHECK' });
  },
  cases: {
    valid: [
      'FROM alpine\nHEALTHCHECK CMD ["true"]\nCMD ["app"]',
      'FROM alpine\nHEALTHCHECK NONE\nCMD ["app"]',
      'FROM alpine\nRUN make',
    ],
    invalid: [
      {
        code: 'FROM alpine\nCMD ["app"]',
        errors: [{ line: 1, column: 1, message: 'the final stage has no HEALTHCHECK' }],
      },
    ],
  },
});
