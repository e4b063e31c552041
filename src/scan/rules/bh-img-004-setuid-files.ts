// BH-IMG-004 (formerly BH-IMG-SETUID-FILES): setuid and setgid executables in the image (CIS Docker Benchmark 1.6.0 section 4.8, "Ensure
// setuid and setgid permissions are removed"). Each is a privilege-escalation path for a process in the container.
import type { RuleMeta } from '../../shared/rule.js';
import { type ImageCase, imageFinding, type ImageRule, passFinding } from '../rule.js';
import { LAYER0, factsWith } from '../cases.js';

const meta: RuleMeta = {
  id: 'BH-IMG-004',
  aliases: ['BH-IMG-SETUID-FILES', 'CIS-1.6.0:4.8', 'CIS-1.8.0:4.8'],
  severity: 'low',
  title: 'Setuid or setgid file in image',
  rationale: 'A setuid-root binary runs with root privileges whatever the calling user.',
  remediation:
    'Remove the bits where they are not needed: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, and run containers with --security-opt no-new-privileges.',
  references: ['https://www.cisecurity.org/benchmark/docker'],
  docsUrl: 'docs/rules/scan.md#bh-img-004',
};

const cases: readonly ImageCase[] = [
  {
    name: 'setuid and setgid',
    facts: factsWith({
      specialFiles: [
        { path: 'usr/bin/su', mode: 0o4755, uid: 0, gid: 0, layer: LAYER0 },
        { path: 'usr/bin/wall', mode: 0o2755, uid: 0, gid: 5, layer: LAYER0 },
      ],
    }),
    fails: ['setuid root file /usr/bin/su', 'setgid file /usr/bin/wall'],
  },
  { name: 'none', facts: factsWith(), fails: [], outcome: 'pass' },
];

export const rule: ImageRule = {
  meta,
  check(facts) {
    const findings = facts.specialFiles.map((f) => {
      const bits = [(f.mode & 0o4000) !== 0 ? 'setuid' : '', (f.mode & 0o2000) !== 0 ? 'setgid' : '']
        .filter(Boolean)
        .join('+');
      return imageFinding(meta, facts, {
        message: `${bits} ${f.uid === 0 && (f.mode & 0o4000) !== 0 ? 'root ' : ''}file /${f.path}`,
        evidence: [
          {
            source: `/${f.path}`,
            value: `mode ${(f.mode & 0o7777).toString(8).padStart(4, '0')} uid ${f.uid} gid ${f.gid}`,
            expected: 'mode & 06000 == 0',
          },
        ],
        layer: f.layer,
        path: f.path,
      });
    });
    return findings.length > 0 ? findings : [passFinding(meta, facts, 'no setuid or setgid files')];
  },
  cases,
};
