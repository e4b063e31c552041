// A scan-shaped Report with N vulnerability findings (what a large registry or fleet scan produces), for the
// streaming-reporter test and bench/report: each finding carries the fields a real Debian finding has.
import type { Finding } from '../../src/shared/finding.js';
import { createReport, type Report } from '../../src/shared/report.js';
import type { RuleMeta } from '../../src/shared/rule.js';
import type { Severity } from '../../src/shared/severity.js';

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
// a RUN line as long as real ones (package lists, cleanup), repeated in every finding of the layer
const LAYER = {
  index: 3,
  digest: 'sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6',
  createdBy:
    '/bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl ' +
    'gnupg libssl3 openssl libcurl4 libxml2 libxslt1.1 zlib1g libpq5 libsqlite3-0 tzdata locales netbase ' +
    'procps; rm -rf /var/lib/apt/lists/*; localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias ' +
    'en_US.UTF-8; groupadd --system --gid 10001 app; useradd --system --uid 10001 --gid app --home /srv app',
};
// Debian tracker descriptions are often this long (the NVD summary, copied)
const DESCRIPTION =
  'A flaw was found in the certificate verification path: when a crafted X.509 certificate with an ' +
  'excessively long policy constraint chain is processed, the library reads past the end of a heap buffer ' +
  'while formatting the error message, which a remote peer that presents the certificate during a TLS ' +
  'handshake can use to crash the client or the server (denial of service) and, on some builds, to read a ' +
  'few bytes of adjacent heap memory. Applications that do not enable policy checking are not affected.';

/** Finding `i` of the synthetic report: a vulnerable package in layer 3 of an image (text varies with i). */
export function syntheticFinding(i: number): Finding {
  const cve = `CVE-${2015 + (i % 10)}-${String(10000 + i).padStart(6, '0')}`;
  const severity = SEVERITIES[i % SEVERITIES.length] ?? 'low';
  const pkg = `libexample${i % 997}`;
  const fixed = i % 3 === 0 ? null : `3.0.${(i % 40) + 1}-1~deb12u1`;
  return {
    ruleId: cve,
    aliases: [cve, `DSA-${5000 + (i % 700)}-1`],
    severity,
    title: `${cve}: ${DESCRIPTION}`,
    message: `${pkg} 3.0.${i % 40}-1 is affected by ${cve} (${fixed === null ? 'no fix yet' : `fixed in ${fixed}`}): a crafted input lets a remote peer read past the end of a heap buffer "quoted" \\ with a\nnewline`,
    outcome: { kind: 'fail' },
    evidence: [
      { source: '/var/lib/dpkg/status', value: `Package: ${pkg}\nVersion: 3.0.${i % 40}-1\nSource: example` },
      {
        source: 'vulndb:debian-tracker',
        value: `bookworm: ${fixed ?? 'open'}`,
        expected: 'installed >= fixed',
      },
    ],
    target: {
      kind: 'package',
      image:
        'registry.example.com/team/service@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      name: pkg,
      version: `3.0.${i % 40}-1`,
      sourceName: 'example',
      sourceVersion: `3.0.${i % 40}-1`,
      ecosystem: 'debian:12',
      layer: LAYER,
    },
    remediation:
      fixed === null ? 'No fixed version yet; watch the advisory.' : `Upgrade ${pkg} to ${fixed} or later.`,
    references: [
      `https://security-tracker.debian.org/tracker/${cve}`,
      `https://www.cve.org/CVERecord?id=${cve}`,
      `https://nvd.nist.gov/vuln/detail/${cve}`,
      `https://github.com/example/libexample/commit/${(i * 2654435761).toString(16).padStart(40, '0').slice(0, 40)}`,
    ],
    vulnerability: {
      id: cve,
      fixedVersion: fixed,
      status: fixed === null ? 'open' : 'fixed',
      source: 'debian-tracker',
    },
  };
}

/** A scan Report with `count` failing vulnerability findings and one rule per distinct CVE year. */
export function syntheticReport(count: number): Report {
  const findings: Finding[] = [];
  for (let i = 0; i < count; i += 1) findings.push(syntheticFinding(i));
  const rules: RuleMeta[] = [
    {
      id: 'BH-IMG-001',
      aliases: ['CIS-1.6.0:4.1'],
      severity: 'medium',
      title: 'Image runs as root',
      rationale: 'Processes run as uid 0.',
      remediation: 'Set USER.',
      references: ['https://docs.docker.com/build/building/best-practices/#user'],
      docsUrl: 'docs/rules/scan.md#bh-img-001',
    },
  ];
  return createReport({
    command: 'scan',
    subjects: ['registry.example.com/team/service:1.2.3'],
    findings,
    rules,
    diagnostics: [{ level: 'warning', subject: 'layer 2', message: 'a bad record was skipped' }],
    artifact: { kind: 'image', os: { id: 'debian', version: '12' }, layers: [LAYER] },
    now: new Date('2026-01-01T00:00:00.000Z'),
  });
}
