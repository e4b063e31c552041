// BH-DF-034: EXPOSE 22 (Trivy DS-0004): an SSH daemon in a container is a second way in that bypasses docker exec
// auditing and usually carries long-lived keys.
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-034',
    aliases: ['DS-0004', 'CKV_DOCKER_1'],
    severity: 'low',
    title: 'SSH port exposed',
    rationale:
      'EXPOSE includes port 22. Running sshd in a container adds a remote login path with its own keys and passwords, outside the Docker API and its authorization and audit trail.',
    remediation: 'Remove sshd and use `docker exec` (or `kubectl exec`) for interactive access.',
    references: ['https://avd.aquasec.com/misconfig/ds004'],
    docsUrl: 'docs/rules/lint.md#bh-df-034',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'EXPOSE') continue;
      for (const spec of instruction.args) {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
        if (m === null || m[3]?.toLowerCase() === 'udp') continue;
        const low = Number(m[1]);
        const high = m[2] === undefined ? low : Number(m[2]);
        if (low <= 22 && 22 <= high) report({ instruction, message: `EXPOSE ${spec} publishes SSH` });
      }
    }
  },
  cases: {
    valid: ['FROM alpine\nEXPOSE 2222 8080', 'FROM alpine\nEXPOSE 22/udp'],
    invalid: [
      {
        code: 'FROM alpine\nEXPOSE 22',
        errors: [{ line: 2, column: 1, message: 'EXPOSE 22 publishes SSH' }],
      },
      {
        code: 'FROM alpine\nEXPOSE 80 20-25/tcp',
        errors: [{ line: 2, column: 1, message: 'EXPOSE 20-25/tcp publishes SSH' }],
      },
    ],
  },
});
