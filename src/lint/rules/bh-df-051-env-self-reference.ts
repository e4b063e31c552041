// BH-DF-051: an ENV uses a variable that the same ENV instruction defines (hadolint DL3044): all values are expanded
// before any is set, so the reference sees the old value (or nothing).
import { allInstructions } from '../model.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-051',
    aliases: ['DL3044'],
    severity: 'low',
    title: 'ENV refers to a variable it defines',
    rationale:
      '`ENV A=1 B=$A` expands `$A` before A is set, so B gets the previous A (often empty). A variable referring to its own previous value (`PATH=/x:$PATH`) is fine.',
    remediation: 'Split into two ENV instructions: `ENV A=1` then `ENV B=$A`.',
    references: ['https://github.com/hadolint/hadolint/wiki/DL3044'],
    docsUrl: 'docs/rules/lint.md#bh-df-051',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'ENV') continue;
      const defined: string[] = [];
      for (const p of instruction.properties) {
        const used = [...(p.value ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');
        // Every value of one ENV expands with the variables from before it, so a name set by an earlier pair of the
        // same ENV (the pair's own name included: `PATH=/a:$PATH PATH=/b:$PATH`) still means the old value.
        const bad = used.find((name) => defined.includes(name));
        if (bad !== undefined)
          report({
            instruction,
            at: { line: p.line, column: p.column },
            message: `${p.name} refers to ${bad}, which this same ENV sets`,
          });
        defined.push(p.name);
      }
    }
  },
  cases: {
    valid: ['FROM alpine\nENV A=1\nENV B=$A', 'FROM alpine\nENV PATH=/opt/bin:$PATH GOPATH=/go'],
    invalid: [
      {
        code: 'FROM alpine\nENV A=1 B=${A}/x',
        errors: [{ line: 2, column: 9, message: 'B refers to A, which this same ENV sets' }],
      },
    ],
  },
});
