// `--format html`: one self-contained document (CSP, no scripts, nothing loaded), hostile strings escaped, the counts
// by severity right, every finding present, grouped as the text report groups it; and `bulkhead lint --format html`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { HTML_CSP, renderHtml } from '../../src/report/html.js';
import { renderReport } from '../../src/report/render.js';
import { createReport } from '../../src/shared/report.js';
import { describeTarget, type Finding, type Target } from '../../src/shared/finding.js';
import type { Severity } from '../../src/shared/severity.js';
import { runBulkhead } from '../harness/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';

function finding(ruleId: string, severity: Severity, target: Target, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    aliases: [],
    severity,
    title: `${ruleId} title`,
    message: `${ruleId} message`,
    outcome: { kind: 'fail' },
    evidence: [],
    target,
    remediation: `${ruleId} remediation`,
    references: [`https://example.test/${ruleId}`],
    ...extra,
  };
}

/** Text as a browser shows it: tags dropped, the five entities preact writes decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function assertInert(html: string): void {
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i);
  // an attribute named onerror (or any on*) would need a space before it inside a tag
  assert.doesNotMatch(html, /<[^>]*\son[a-z]+=/i);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}"/>`));
  // nothing that loads: no link, frame or object element, no src attribute
  assert.doesNotMatch(html, /<link|<iframe|<object|<[^>]*\ssrc=/i);
}

describe('html report', () => {
  const hostile: Finding[] = [
    finding('BH-C-1', 'critical', { kind: 'container', id: 'a'.repeat(64), name: SCRIPT, image: IMG }),
    finding(
      'BH-H-1',
      'high',
      { kind: 'host', root: IMG },
      {
        message: SCRIPT,
        evidence: [{ source: IMG, value: SCRIPT, expected: IMG }],
        remediation: IMG,
        references: ['javascript:alert(1)', `https://example.test/${IMG}`],
        aliases: [SCRIPT],
      },
    ),
    finding('BH-D-1', 'medium', { kind: 'daemon', address: 'unix:///var/run/docker.sock' }),
    finding('BH-I-1', 'low', { kind: 'image', ref: IMG }),
    finding('BH-H-2', 'high', { kind: 'host', root: '/' }),
    finding('BH-H-3', 'info', { kind: 'host', root: '/' }, { outcome: { kind: 'pass' } }),
    finding(
      'BH-D-2',
      'high',
      { kind: 'daemon', address: 'tcp://x' },
      { outcome: { kind: 'skip', reason: SCRIPT } },
    ),
  ];
  const report = createReport({ command: 'audit', subjects: [IMG, SCRIPT], findings: hostile });
  const rank = { host: 0, daemon: 1, container: 2, image: 3 } as const;
  const html = renderReport(report, 'html', {
    color: false,
    groupBy: (f) => ({
      heading: f.target.kind === 'container' ? `container ${f.target.name}` : f.target.kind,
      rank: f.target.kind in rank ? rank[f.target.kind as keyof typeof rank] : 4,
    }),
  });

  it('escapes every string from outside: no script element, no event-handler attribute, no javascript: link', () => {
    assertInert(html);
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
    assert.doesNotMatch(html, /href="javascript:/i);
    const text = visibleText(html);
    // the hostile strings are shown, as text
    assert.ok(text.includes(SCRIPT));
    assert.ok(text.includes(IMG));
    assert.ok(text.includes('javascript:alert(1)'));
  });

  it('counts failures by severity', () => {
    const cards = [
      ...html.matchAll(/data-severity="(\w+)"><span[^>]*>\w+<\/span><div class="n">(\d+)<\/div>/g),
    ];
    assert.deepEqual(Object.fromEntries(cards.map((m) => [m[1], Number(m[2])])), {
      critical: 1,
      high: 2,
      medium: 1,
      low: 1,
      info: 0,
    });
    assert.match(
      visibleText(html).replace(/\s+/g, ' '),
      /5 failed .*, 1 passed, 1 skipped, 0 not applicable/,
    );
  });

  it('shows every finding once, failures grouped host -> daemon -> container -> image', () => {
    const text = visibleText(html);
    for (const f of hostile) assert.ok(text.includes(f.ruleId), f.ruleId);
    const headings = [...html.matchAll(/<h3><code>([^<]*)<\/code>/g)].map((m) => visibleText(m[1] ?? ''));
    assert.deepEqual(headings, ['host', 'daemon', `container ${SCRIPT}`, 'image']);
    const cards = [...html.matchAll(/<section class="finding" aria-label="([^"]*)"/g)].map(
      (m) => visibleText(m[1] ?? '').split(' ')[0],
    );
    assert.deepEqual(cards, ['BH-H-1', 'BH-H-2', 'BH-D-1', 'BH-C-1', 'BH-I-1']);
    // remediation, evidence and references of a failure are on the card
    for (const part of ['BH-D-1 remediation', 'BH-D-1 message', 'https://example.test/BH-D-1'])
      assert.ok(text.includes(part), part);
    assert.ok(html.includes('<a href="https://example.test/BH-D-1">'));
  });

  it('groups a scan by package with installed -> fixed version and the CVE id', () => {
    const pkg: Target = {
      kind: 'package',
      image: 'app:1',
      name: 'openssl',
      version: '3.0.11-1',
      ecosystem: 'debian',
      layer: { index: 2, digest: 'sha256:abc' },
    };
    const scan = createReport({
      command: 'scan',
      subjects: ['app:1'],
      findings: [
        finding('BH-VULN', 'high', pkg, {
          vulnerability: { id: 'CVE-2024-0001', fixedVersion: '3.0.13-1', status: 'fixed', source: 'debian' },
        }),
        finding('BH-VULN', 'low', pkg, {
          vulnerability: { id: 'CVE-2024-0002', fixedVersion: null, status: 'open', source: 'debian' },
        }),
        finding('BH-IMG-001', 'medium', { kind: 'image', ref: 'app:1' }),
      ],
    });
    const out = renderHtml(scan);
    const text = visibleText(out).replace(/\s+/g, ' ');
    const headings = [...out.matchAll(/<h3><code>([^<]*)<\/code>/g)].map((m) => visibleText(m[1] ?? ''));
    assert.deepEqual(headings, ['openssl 3.0.11-1 — layer 2', 'image files and configuration']);
    assert.ok(text.includes('CVE-2024-0001'));
    assert.ok(text.includes('3.0.11-1 → 3.0.13-1 (fixed, debian)'), text);
    assert.ok(text.includes('3.0.11-1 → no fix yet (open, debian)'), text);
  });
});

describe('bulkhead lint --format html', () => {
  it('renders every finding of the JSON run, grouped by file with line:column', async () => {
    const file = join(ROOT, 'examples', 'lint', 'insecure.Dockerfile');
    const json = await runBulkhead(['lint', '--format', 'json', file]);
    const html = await runBulkhead(['lint', '--format', 'html', file]);
    assert.equal(html.code, json.code, html.stderr);
    const findings = z
      .object({
        findings: z.array(
          z.object({
            ruleId: z.string(),
            target: z.object({ path: z.string(), line: z.number(), column: z.number() }),
          }),
        ),
      })
      .parse(JSON.parse(json.stdout)).findings;
    assert.ok(findings.length > 5, `insecure.Dockerfile has ${findings.length} findings`);
    assertInert(html.stdout);
    const cards = [...html.stdout.matchAll(/<section class="finding" aria-label="([^"]*)"/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(
      cards.sort(),
      findings.map((f) => `${f.ruleId} ${f.target.line}:${f.target.column}`).sort(),
    );
    assert.ok(html.stdout.includes(`<h3><code>${findings[0]?.target.path ?? ''}</code>`));
  });
});

describe('bulkhead scan --format html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-html-scan-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const feed = join(ROOT, '..', 'shared', 'data', 'vulndb', 'debian', 'bookworm-derived.json');

  it('shows every vulnerability of the JSON run under its package, installed -> fixed version', async () => {
    const db = join(dir, 'feed.sqlite');
    const imported = await runBulkhead(['db', 'import', '--db', db, feed]);
    assert.equal(imported.code, 0, imported.stderr);
    const root = join(dir, 'debian');
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    writeFileSync(
      join(root, 'var/lib/dpkg/status'),
      'Package: libexpat1\nStatus: install ok installed\nVersion: 2.5.0-1+deb12u1\nSource: expat\nArchitecture: amd64\n',
    );
    const json = await runBulkhead(['scan', '--db', db, '-q', '-f', 'json', root]);
    const html = await runBulkhead(['scan', '--db', db, '-q', '-f', 'html', root]);
    assert.equal(html.code, 0, html.stderr);
    const failures = z
      .object({
        findings: z.array(
          z.object({
            ruleId: z.string(),
            outcome: z.object({ kind: z.string() }),
            target: z.custom<Target>((t) => typeof t === 'object' && t !== null && 'kind' in t),
            vulnerability: z.object({ id: z.string(), fixedVersion: z.string().nullable() }).optional(),
          }),
        ),
      })
      .parse(JSON.parse(json.stdout))
      .findings.filter((f) => f.outcome.kind === 'fail');
    const vulns = failures.filter((f) => f.vulnerability !== undefined);
    assert.ok(vulns.length > 0, 'the feed has vulnerabilities for libexpat1 2.5.0-1+deb12u1');
    assertInert(html.stdout);
    const cards = [...html.stdout.matchAll(/<section class="finding" aria-label="([^"]*)"/g)].map((m) =>
      visibleText(m[1] ?? ''),
    );
    assert.deepEqual(cards.sort(), failures.map((f) => `${f.ruleId} ${describeTarget(f.target)}`).sort());
    const text = visibleText(html.stdout).replace(/\s+/g, ' ');
    assert.ok(text.includes('libexpat1 2.5.0-1+deb12u1 (source expat'), 'package heading');
    for (const v of vulns) {
      const fixed = v.vulnerability?.fixedVersion ?? 'no fix yet';
      assert.ok(text.includes(`${v.vulnerability?.id ?? ''} `), v.ruleId);
      assert.ok(text.includes(`2.5.0-1+deb12u1 → ${fixed}`), `${v.ruleId}: 2.5.0-1+deb12u1 → ${fixed}`);
    }
  });

  it('refuses --list-packages with --format html, naming both', async () => {
    const result = await runBulkhead(['scan', '--skip-db', '--list-packages', '-f', 'html', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--list-packages prints a package list, not an HTML report/);
    assert.match(result.stderr, /fix: use --list-packages with --format table or --format json/);
  });
});
