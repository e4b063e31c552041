// The dashboard in a real browser: Debian's Chromium driven by playwright-core (no browser download) opens every
// page, checks what it shows, saves a screenshot per page under test/artifacts/dashboard/, runs axe-core's
// accessibility rules, and does it all again with JavaScript off; tenant B's host never appears for tenant A.
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { z } from 'zod';
import {
  apiGet,
  CVE_OPEN,
  FLEET_IMAGE,
  importFleetImage,
  startFleet,
  type FleetWorld,
} from '../harness/fleet.js';
import { engineSuite, sharedEngine, type SharedEngine } from '../harness/shared-engine.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  assert.match(page.url(), /\/login/);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${url}/`);
}

async function accessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(
    result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`),
    [],
    `axe violations on ${name}`,
  );
}

describe('dashboard in Chromium', engineSuite, () => {
  let engine: SharedEngine;
  let world: FleetWorld;
  let started: FleetWorld | undefined;
  let browser: Browser | undefined;
  let hostA = '';
  let hostB = '';
  let digest = '';
  before(async () => {
    engine = sharedEngine();
    digest = importFleetImage(engine);
    engine.docker(['rm', '-f', 'dash-web']);
    engine.docker(['run', '-d', '--network', 'none', '--name', 'dash-web', FLEET_IMAGE, 'sleep', '3600']);
    const w = await startFleet((work) => ({ kind: 'sqlite', dir: join(work, 'server') }), engine, digest);
    world = w;
    started = w;
    const log = join(world.work, 'decisions.jsonl');
    const now = Date.now();
    writeFileSync(
      log,
      [
        {
          time: new Date(now - 5000).toISOString(),
          phase: 'req',
          user: 'alice',
          action: 'container_create',
          decision: 'allow',
          rule: 'ops/0',
        },
        {
          time: new Date(now - 4000).toISOString(),
          phase: 'req',
          user: 'mallory',
          action: 'container_create',
          decision: 'deny',
          rule: 'default',
          msg: 'privileged containers are not allowed',
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    for (const [agent, extra] of [
      [world.agents.a, ['--authz-log', log]],
      [world.agents.b, []],
    ] as const) {
      const r = await agent.run(extra);
      assert.equal(r.code, 0, r.stderr);
    }
    const hosts = z
      .object({ hosts: z.array(z.object({ id: z.string(), name: z.string() })) })
      .parse((await apiGet(`${world.url}/api/v1/hosts`, world.tokens.admin)).json).hosts;
    hostA = hosts.find((h) => h.name === 'host-a')?.id ?? '';
    hostB = hosts.find((h) => h.name === 'host-b')?.id ?? '';
    mkdirSync(ARTIFACTS, { recursive: true });
    // playwright gives every launch a fresh temporary --user-data-dir of its own (and refuses one in args)
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      timeout: 120_000,
    });
  });
  after(async () => {
    await browser?.close();
    await started?.close();
    engine.docker(['rm', '-f', 'dash-web']);
  });

  const launched = (): Browser => {
    if (browser === undefined) throw new Error('Chromium did not start');
    return browser;
  };

  for (const javaScript of [true, false]) {
    describe(javaScript ? 'with JavaScript' : 'with JavaScript off', () => {
      let context: BrowserContext;
      let page: Page;
      before(async () => {
        context = await launched().newContext({
          javaScriptEnabled: javaScript,
          viewport: { width: 1280, height: 900 },
        });
        page = await context.newPage();
        await signIn(page, world.url, world.tokens.admin);
      });
      after(async () => {
        await context.close();
      });
      const suffix = javaScript ? '' : '-nojs';
      const pages: { name: string; path: () => string; expect: RegExp[] }[] = [
        {
          name: 'fleet',
          path: () => '/',
          expect: [
            /Fleet overview/,
            /host-a/,
            /host-b/,
            new RegExp(CVE_OPEN),
            /Hosts by worst severity/,
            /Trend \(30 days\)/,
            /Showing 1–2 of 2 hosts\./,
          ],
        },
        {
          name: 'fleet-paged',
          path: () => '/?pageSize=1&page=2',
          expect: [/Showing 2–2 of 2 hosts\./, /page 2 of 2/, /Hosts by worst severity/],
        },
        {
          name: 'host',
          path: () => `/hosts/${hostA}`,
          expect: [
            /Host host-a/,
            /Audit findings/,
            /Images in use/,
            new RegExp(FLEET_IMAGE.replace(/[/.]/g, '\\$&')),
            /dash-web/,
          ],
        },
        {
          name: 'image',
          path: () => `/images/${digest}`,
          expect: [new RegExp(CVE_OPEN), /libssl3/, /3\.0\.99-1/, /host-a/, /host-b/],
        },
        {
          name: 'cve',
          path: () => `/cves/${CVE_OPEN}`,
          expect: [new RegExp(`Hosts running an image with ${CVE_OPEN}`), /2 hosts/, /dash-web/],
        },
        {
          name: 'cve-paged',
          path: () => `/cves/${CVE_OPEN}?page=2&limit=1`,
          expect: [
            /2 hosts, 2 containers, 1 image\./,
            /Containers 2–2 on this page/,
            /page 2 of 2/,
            /host-b/,
          ],
        },
        {
          name: 'authz',
          path: () => '/authz?decision=deny',
          expect: [/mallory/, /privileged containers are not allowed/],
        },
        { name: 'events', path: () => '/events', expect: [/Runtime events/] },
      ];
      for (const p of pages) {
        it(`${p.name} page`, async () => {
          const response = await page.goto(`${world.url}${p.path()}`);
          assert.equal(response?.status(), 200);
          const text = await page.innerText('body');
          for (const re of p.expect) assert.match(text, re);
          if (p.name === 'authz') assert.doesNotMatch(text, /alice/, 'the decision=deny filter applies');
          await page.screenshot({ path: join(ARTIFACTS, `${p.name}${suffix}.png`), fullPage: true });
          if (javaScript) await accessible(page, p.name);
        });
      }
      it('the CVE page links to the previous and next page', async () => {
        await page.goto(`${world.url}/cves/${CVE_OPEN}?page=2&limit=1`);
        assert.doesNotMatch(await page.innerText('main'), /host-a/, 'page 2 holds host-b only');
        await page.click('a[rel=prev]');
        await page.waitForURL(/page=1&limit=1/);
        const first = await page.innerText('main');
        assert.match(first, /page 1 of 2/);
        assert.match(first, /host-a/);
        assert.doesNotMatch(first, /host-b/);
        await page.click('a[rel=next]');
        await page.waitForURL(/page=2&limit=1/);
        assert.match(await page.innerText('main'), /host-b/);
      });
      it('the fleet page filters and pages its hosts, keeping the filters in the page links', async () => {
        await page.goto(`${world.url}/?pageSize=1`);
        await page.getByLabel('Host name contains').fill('host-');
        await page.getByLabel('Label (k=v)').fill('');
        await page.getByRole('button', { name: 'Filter hosts' }).click();
        await page.waitForURL(/q=host-/);
        const first = await page.innerText('main table:last-of-type');
        await page
          .getByRole('navigation', { name: 'host pages (top)' })
          .getByRole('link', { name: 'next →' })
          .click();
        await page.waitForURL(/q=host-.*page=2|page=2.*q=host-/);
        assert.match(page.url(), /pageSize=1/, 'the page size stays');
        const second = await page.innerText('main table:last-of-type');
        assert.match(await page.innerText('main'), /Showing 2–2 of 2 hosts matching the filters\./);
        assert.deepEqual(
          [first, second].map((t) => (t.includes('host-a') ? 'a' : t.includes('host-b') ? 'b' : '?')).sort(),
          ['a', 'b'],
          'one host per page, each once',
        );
        await page.getByLabel('Label (k=v)').fill('team=b');
        await page.getByRole('button', { name: 'Filter hosts' }).click();
        await page.waitForURL(/label=team%3Db/);
        const filtered = await page.innerText('main');
        assert.match(filtered, /Showing 1–1 of 1 host(s)? matching the filters\./);
        assert.match(filtered, /host-b/);
        await page.getByLabel('Stale agents only').check();
        await page.getByRole('button', { name: 'Filter hosts' }).click();
        await page.waitForURL(/stale=1/);
        assert.match(
          await page.innerText('main'),
          /No hosts matching the filters\./,
          'both agents just reported',
        );
      });
      it('the CVE search form works from the fleet page', async () => {
        await page.goto(`${world.url}/`);
        await page.fill('input[name=id]', CVE_OPEN);
        await page.click('form[role=search] button');
        await page.waitForURL(/\/cves\?id=/);
        assert.match(await page.innerText('body'), /host-a/);
      });
    });
  }

  it('tenant A sees none of tenant B on any page', async () => {
    const context = await launched().newContext();
    const page = await context.newPage();
    await signIn(page, world.url, world.tokens.a);
    for (const path of [
      '/',
      `/cves/${CVE_OPEN}`,
      `/images/${digest}`,
      '/authz',
      '/events',
      `/hosts/${hostA}`,
    ]) {
      const response = await page.goto(`${world.url}${path}`);
      assert.equal(response?.status(), 200, path);
      assert.doesNotMatch(await page.innerText('body'), /host-b/, path);
    }
    const denied = await page.goto(`${world.url}/hosts/${hostB}`);
    assert.equal(denied?.status(), 404);
    assert.doesNotMatch(await page.innerText('body'), /host-b/);
    await page.screenshot({ path: join(ARTIFACTS, 'tenant-a-host-b.png') });
    await context.close();
  });
});
