// BH-DF-049: a label's value does not have the format the label schema asks for (hadolint DL3051-DL3058: empty,
// URL, RFC 3339, SPDX, git hash, semver, email).
import { allInstructions } from '../model.js';
import { labelValueProblem } from '../labels.js';
import { defineRule } from '../rule.js';

export const rule = defineRule({
  meta: {
    id: 'BH-DF-049',
    aliases: ['DL3051', 'DL3052', 'DL3053', 'DL3054', 'DL3055', 'DL3056', 'DL3058'],
    severity: 'info',
    title: 'Label value does not match the label schema',
    rationale:
      'A label named in `labelSchema` has a value of the wrong kind: empty text, not a URL, not an RFC 3339 timestamp, not an SPDX expression, not a git hash, not a semantic version or not an email. Values with variables are not checked.',
    remediation: 'Fix the value, e.g. `org.opencontainers.image.created="2024-07-01T12:00:00Z"`.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3052',
      'https://github.com/opencontainers/image-spec/blob/main/annotations.md',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-049',
  },
  check({ model, settings, report }) {
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'LABEL') continue;
      for (const p of instruction.properties) {
        const kind = settings.labelSchema[p.name];
        const problem = kind === undefined ? undefined : labelValueProblem(kind, p.value ?? '');
        if (problem !== undefined)
          report({
            instruction,
            at: { line: p.line, column: p.column },
            message: `label ${p.name} ${problem}`,
          });
      }
    }
  },
  cases: {
    valid: [
      {
        code: 'FROM alpine\nLABEL src=https://example.com/r created=2024-07-01T12:00:00Z license="MIT OR Apache-2.0" rev=0123abc v=1.2.3',
        settings: {
          labelSchema: { src: 'url', created: 'rfc3339', license: 'spdx', rev: 'hash', v: 'semver' },
        },
      },
    ],
    invalid: [
      {
        code: 'FROM alpine\nLABEL src=example created=yesterday',
        settings: { labelSchema: { src: 'url', created: 'rfc3339' } },
        errors: [
          { line: 2, column: 7, message: 'label src is not a URL' },
          { line: 2, column: 19, message: 'label created is not an RFC 3339 timestamp' },
        ],
      },
      {
        code: 'FROM alpine\nLABEL maintainer=""',
        settings: { labelSchema: { maintainer: 'text' } },
        errors: [{ line: 2, column: 7, message: 'label maintainer is empty' }],
      },
    ],
  },
});
