// BH-DF-074: an ARG or ENV value whose variable substitution grows past bulkhead's cap (`MAX_EXPANSION_CHARS`,
// 64 KiB): chained definitions such as `ARG B=$A$A` double at each line, so 26 lines of 549 bytes expand to 2.4 GB.
// BuildKit has no such cap (its shell lexer expands in full); bulkhead keeps the value as written and says so here.
import { allInstructions } from '../model.js';
import { MAX_EXPANSION_CHARS } from '../parse.js';
import { defineRule } from '../rule.js';

/** `ARG A0=…` (30 characters) and `count` lines that each double the previous value. */
function doublingChain(keyword: 'ARG' | 'ENV', count: number): string {
  const lines = [`${keyword} A0=0123456789abcdef0123456789`];
  for (let i = 1; i <= count; i += 1) lines.push(`${keyword} A${i}=$A${i - 1}$A${i - 1}`);
  return lines.join('\n');
}

export const rule = defineRule({
  meta: {
    id: 'BH-DF-074',
    aliases: [],
    severity: 'medium',
    title: 'ARG/ENV expansion too large',
    rationale: `An ARG or ENV value expands, through the variables it uses, to more than ${MAX_EXPANSION_CHARS} characters. Definitions that reuse the previous one twice (\`ARG B=$A$A\`) double at each line, so a few hundred bytes of Dockerfile expand to gigabytes: the build exhausts the builder's memory, and a linter that expanded it in full would too. bulkhead stops at the cap and keeps the value as written, so rules that read it (base image, USER, pinning) see the unexpanded text and may miss what the real value would say.`,
    remediation:
      'Define the value directly instead of by repeated self-concatenation, or pass it with `--build-arg`; a value this long does not belong in a Dockerfile.',
    references: [
      'https://docs.docker.com/reference/dockerfile/#environment-replacement',
      'https://docs.docker.com/reference/dockerfile/#arg',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-074',
  },
  check({ model, report }) {
    const instructions = allInstructions(model);
    for (const overflow of model.expansionOverflows) {
      const instruction = instructions.find((i) => i.line <= overflow.line && overflow.line <= i.endLine);
      if (instruction === undefined) continue;
      report({
        instruction,
        at: { line: overflow.line, column: overflow.column },
        message: `${overflow.keyword} ${overflow.name} on line ${overflow.line} expands to more than ${overflow.limit} characters (chained ARG/ENV expansions grow exponentially); its value is left unexpanded`,
      });
    }
  },
  cases: {
    valid: [`${doublingChain('ARG', 11)}\nFROM alpine:$A11`, 'ARG V=1\nFROM alpine\nENV A=$V$V B=${A}x'],
    invalid: [
      {
        code: `${doublingChain('ARG', 14)}\nFROM alpine:$A14\nRUN echo $A14`,
        errors: [
          {
            line: 13,
            column: 5,
            message:
              'ARG A12 on line 13 expands to more than 65536 characters (chained ARG/ENV expansions grow exponentially); its value is left unexpanded',
          },
        ],
      },
      {
        code: `FROM alpine\n${doublingChain('ENV', 12)}`,
        errors: [
          {
            line: 14,
            column: 5,
            message:
              'ENV A12 on line 14 expands to more than 65536 characters (chained ARG/ENV expansions grow exponentially); its value is left unexpanded',
          },
        ],
      },
    ],
  },
});
