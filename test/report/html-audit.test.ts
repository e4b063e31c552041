// The README's `bulkhead audit` example (a `web` container with SYS_ADMIN, restart always and the API socket
// mounted, and a hardened one) on the real test engine, once as JSON and once as HTML; the HTML opens in Debian's
// Chromium (playwright-core), shows every finding of the JSON run (rule id + subject), grouped host -> daemon ->
// containers -> images, and has no script element. The screenshot goes where the dashboard tests keep theirs.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { z } from 'zod';
import { describeTarget, type Target } from '../../src/shared/finding.js';
import { runBulkhead } from '../harness/cli.js';
import { BUSYBOX_IMAGE, engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const P = 'bhhtml';
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const auditJson = z.object({
  findings: z.array(
    z.object({
      ruleId: z.string(),
      outcome: z.object({ kind: z.string() }),
      target: z.custom<Target>((t) => typeof t === 'object' && t !== null && 'kind' in t),
    }),
  ),
});

interface PageFinding {
  readonly id: string;
  readonly subject: string;
}

describe('bulkhead audit --format html in Chromium', engineSuite, () => {
  let engine: SharedEngine;
  let work = '';
  let browser: Browser | undefined;
  let expected: PageFinding[] = [];
  let htmlPath = '';

  before(async () => {
    engine = sharedEngine();
    work = mkdtempSync(join(tmpdir(), 'bh-html-audit-'));
    engine.docker(['rm', '-f', `${P}-web`, `${P}-hardened`]);
    const common = ['run', '-d', '--network', 'none'];
    engine.docker([
      ...common,
      '--name',
      `${P}-web`,
      '--cap-add',
      'SYS_ADMIN',
      '--restart',
      'always',
      '-v',
      `${engine.socket}:/run/api.sock`,
      BUSYBOX_IMAGE,
      'sleep',
      '3600',
    ]);
    engine.docker([
      ...common,
      '--name',
      `${P}-hardened`,
      ...['--user', '1000:1000', '--read-only', '--cap-drop', 'ALL', '--memory', '64m', '--cpus', '0.5'],
      ...['--pids-limit', '64', '--security-opt', 'no-new-privileges', '--health-cmd', 'true'],
      BUSYBOX_IMAGE,
      'sleep',
      '3600',
    ]);
    const env = { PATH: process.env['PATH'], XDG_CACHE_HOME: join(work, 'cache') };
    const json = await runBulkhead(['audit', '--host', engine.host, '--format', 'json'], { env });
    assert.equal(json.code, 0, json.stderr);
    htmlPath = join(work, 'report.html');
    const html = await runBulkhead(['audit', '--host', engine.host, '--format', 'html', '-o', htmlPath], {
      env,
    });
    assert.equal(html.code, 0, html.stderr);
    // other suites' containers may come and go between the two runs: compare the host, the daemon, this suite's
    // containers and its image
    expected = auditJson
      .parse(JSON.parse(json.stdout))
      .findings.filter((f) => {
        const t = f.target;
        return (
          t.kind === 'host' ||
          t.kind === 'daemon' ||
          (t.kind === 'container' && t.name.startsWith(`${P}-`)) ||
          (t.kind === 'image' && t.ref === BUSYBOX_IMAGE)
        );
      })
      .map((f) => ({ id: f.ruleId, subject: describeTarget(f.target) }));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      timeout: 120_000,
    });
  });

  after(async () => {
    await browser?.close();
    engine.docker(['rm', '-f', `${P}-web`, `${P}-hardened`]);
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('shows every finding of the JSON run, grouped host -> daemon -> containers -> images, with no script', async () => {
    assert.ok(browser, 'Chromium did not start');
    assert.ok(
      expected.some((f) => f.id === 'BH-C-026' && f.subject.startsWith(`container ${P}-web `)),
      'the JSON run has the mounted API socket',
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(pathToFileURL(htmlPath).href);
    assert.equal(await page.locator('script').count(), 0);
    // a string, not a function: tsx's keepNames would wrap an inner arrow function in a __name() the page lacks
    const shown = z.array(z.object({ id: z.string(), subject: z.string() })).parse(
      await page.evaluate(`(() => {
        const visible = (e) => e.checkVisibility() && e.innerText.trim() !== '';
        const out = [];
        for (const card of document.querySelectorAll('section.finding')) {
          const id = card.querySelector('h4 code');
          const subject = [...card.querySelectorAll('dt')].find((dt) => dt.textContent === 'subject')?.nextElementSibling;
          if (id && subject && visible(id) && visible(subject)) out.push({ id: id.textContent, subject: subject.textContent });
        }
        for (const row of document.querySelectorAll('tbody tr')) {
          const cells = row.querySelectorAll('td');
          if (cells.length >= 3 && visible(cells[1]) && visible(cells[2]))
            out.push({ id: cells[1].textContent, subject: cells[2].textContent });
        }
        return out;
      })()`),
    );
    const onPage = new Set(shown.map((f) => `${f.id} | ${f.subject}`));
    const missing = expected.map((f) => `${f.id} | ${f.subject}`).filter((key) => !onPage.has(key));
    assert.deepEqual(missing, [], `${expected.length} findings expected, ${shown.length} shown`);
    const headings = await page.locator('h3 code').allTextContents();
    const kinds = headings.map((h) => h.split(' ')[0]);
    const order = ['host', 'daemon', 'container', 'image'];
    assert.deepEqual(
      kinds.map((k) => order.indexOf(k ?? '')),
      [...kinds.map((k) => order.indexOf(k ?? ''))].sort((a, b) => a - b),
      `group order: ${headings.join(', ')}`,
    );
    assert.ok(headings.includes(`container ${P}-web`), headings.join(', '));
    assert.ok(
      !headings.includes(`container ${P}-hardened`),
      'the hardened container has no failure, so no heading',
    );
    assert.deepEqual(failed, [], 'the page loads nothing');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'audit-report-html.png'), fullPage: true });
    copyFileSync(htmlPath, join(ARTIFACTS, 'audit-report.html'));
    await context.close();
  });
});
