// BH-DF-023: ADD where COPY does (hadolint DL3020, Trivy DS-0005). ADD also fetches URLs and unpacks local tar
// archives; for plain files that magic is a surprise waiting to happen. URLs and archives are not reported.
import { allInstructions } from '../model.js';
import { copyOperands } from '../helpers.js';
import { defineRule } from '../rule.js';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|tar\.lzma)$/i;
const REMOTE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

export const rule = defineRule({
  meta: {
    id: 'BH-DF-023',
    aliases: ['DL3020', 'DS-0005', 'CKV_DOCKER_4'],
    severity: 'low',
    title: 'ADD used for local files',
    rationale:
      'ADD copies local files like COPY but also unpacks local tar archives and downloads URLs. For plain files COPY states the intent and cannot turn into an extraction if a file is renamed. ADD of URLs and archives (its real use) is not reported; nor is a source with an unresolved variable.',
    remediation: 'Use COPY for files and directories.',
    references: [
      'https://github.com/hadolint/hadolint/wiki/DL3020',
      'https://avd.aquasec.com/misconfig/ds005',
    ],
    docsUrl: 'docs/rules/lint.md#bh-df-023',
  },
  check({ model, report }) {
    for (const instruction of allInstructions(model)) {
      const operands = instruction.keyword === 'ADD' ? copyOperands(instruction, model.escape) : undefined;
      if (operands === undefined) continue;
      const { sources } = operands;
      const plain = sources.filter((s) => !REMOTE.test(s) && !ARCHIVE.test(s) && !s.includes('$'));
      if (plain.length > 0 && plain.length === sources.length)
        report({ instruction, message: `ADD ${plain.join(' ')}: use COPY for local files` });
    }
  },
  cases: {
    valid: [
      'FROM alpine\nADD https://example.com/x.tgz /tmp/',
      'FROM alpine\nADD rootfs.tar.xz /',
      'FROM alpine\nCOPY app /app',
      'FROM alpine\nADD --checksum=sha256:abc https://example.com/x /x',
      'FROM alpine\nADD git@github.com:moby/buildkit.git /src',
    ],
    invalid: [
      {
        code: 'FROM alpine\nADD app.py /app/',
        errors: [{ line: 2, column: 1, message: 'ADD app.py: use COPY for local files' }],
      },
      {
        code: 'FROM alpine\nADD ["a b", "/x/"]',
        errors: [{ line: 2, column: 1, message: 'ADD a b: use COPY for local files' }],
      },
    ],
  },
});
