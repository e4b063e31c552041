// BH-DF-033: EXPOSE with a port outside 0-65535 or a malformed spec (hadolint DL3011, Trivy DS-0008).
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

function invalidPort(spec: string): boolean {
  if (spec.includes('$')) return false;
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (m === null) return true;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  return low > 65535 || high > 65535 || high < low;
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-033',
    aliases: ['DL3011', 'DS-0008'],
    severity: 'medium',
    title: 'Invalid EXPOSE port',
    rationale:
      'EXPOSE lists a port outside 0-65535, a reversed range or a spec that is not `port[-port][/tcp|udp|sctp]`; the build or `docker run -P` fails.',
    remediation: 'Expose a valid port: `EXPOSE 8080/tcp`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3011',
      'https://avd.aquasec.com/misconfig/ds008',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-033',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'EXPOSE') continue;
      for (const spec of instruction.args)
        if (invalidPort(spec)) report({ instruction, message: `EXPOSE ${spec} is not a valid port` });
    }
  },
  cases: {
    valid: ['FROM alpine\nEXPOSE 80 443/tcp 53/udp 8000-8010', 'FROM alpine\nEXPOSE ${PORT}'],
    invalid: [
      {
        code: 'FROM alpine\nEXPOSE 80000',
        errors: [{ line: 2, column: 1, message: 'EXPOSE 80000 is not a valid port' }],
      },
      {
        code: 'FROM alpine\nEXPOSE 90-80',
        errors: [{ line: 2, column: 1, message: 'EXPOSE 90-80 is not a valid port' }],
      },
    ],
  },
});
