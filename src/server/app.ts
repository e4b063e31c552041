// The server's HTTP surface on one port (hono): the JSON API under /api/v1/ and the server-rendered dashboard
// under /; every read resolves the caller's tenant first (API token as Bearer header, or the login cookie).
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { sql } from 'kysely';
import { z } from 'zod';
import type { VulnDb } from '../vulndb/db.js';
import {
  renderAuthzPage,
  renderCvePage,
  renderEventsPage,
  renderHostPage,
  renderImagePage,
  renderLoginPage,
  renderNotFoundPage,
  renderOverviewPage,
} from '../web/pages.js';
import { UsageError } from '../shared/errors.js';
import { SEVERITIES } from '../shared/severity.js';
import { parseLabels, tenantForToken, type Tenant } from './access.js';
import { ApiError } from './api-error.js';
import { enrolHost, ingestReport, missingInventories } from './ingest.js';
import {
  authzDecisions,
  fleetHosts,
  fleetOverview,
  fleetPage,
  hostDetail,
  hostsWithCve,
  imageDetail,
  runtimeEvents,
  CVE_PAGE_SIZE,
  CVE_PAGE_SIZE_MAX,
  HOST_PAGE_SIZE,
  HOST_PAGE_SIZE_MAX,
  type CvePaging,
  type HostFilter,
  type HostPaging,
  type QueryOptions,
} from './queries.js';
import { rematchStore } from './rematch.js';
import type { Store } from './store.js';

export interface AppOptions {
  readonly store: Store;
  /** The vulnerability database used for matching; re-read through this getter after `db update`. */
  readonly vulndb: () => VulnDb | undefined;
  /** Largest accepted request body (default 32 MiB). */
  readonly maxBodyBytes?: number;
  readonly query?: QueryOptions;
}

const COOKIE = 'bulkhead_token';
const CVE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST_ID = /^[a-f0-9]{64}$/;

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header?.startsWith('Bearer ') === true) return header.slice(7).trim();
  return undefined;
}

/** ?page=N&limit=M of the CVE answer: positive integers, limit at most CVE_PAGE_SIZE_MAX; a message when not. */
function cvePaging(page: string | undefined, limit: string | undefined): CvePaging | string {
  const positive = (raw: string | undefined, fallback: number): number | undefined =>
    raw === undefined ? fallback : /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : undefined;
  const p = positive(page, 1);
  if (p === undefined) return `page must be a positive integer, not "${page ?? ''}"`;
  const l = positive(limit, CVE_PAGE_SIZE);
  if (l === undefined || l > CVE_PAGE_SIZE_MAX)
    return `limit must be a positive integer of at most ${CVE_PAGE_SIZE_MAX}, not "${limit ?? ''}"`;
  return { page: p, pageSize: l };
}

const positiveInteger = (raw: string): number | undefined =>
  /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : undefined;

/**
 * The hosts table's query string (docs/server.md "Hosts, a page at a time"): page, pageSize (at most
 * HOST_PAGE_SIZE_MAX), severity, label=k=v[,k2=v2], stale=1, q; an empty value is no filter. A message when not.
 */
export function hostQuery(
  query: (name: string) => string | undefined,
): { filter: HostFilter; paging: HostPaging } | string {
  const value = (name: string): string => (query(name) ?? '').trim();
  const page = value('page') === '' ? 1 : positiveInteger(value('page'));
  if (page === undefined) return `page must be a positive integer, not "${value('page')}"`;
  const pageSize = value('pageSize') === '' ? HOST_PAGE_SIZE : positiveInteger(value('pageSize'));
  if (pageSize === undefined || pageSize > HOST_PAGE_SIZE_MAX)
    return `pageSize must be a positive integer of at most ${HOST_PAGE_SIZE_MAX}, not "${value('pageSize')}"`;
  const severities = [...SEVERITIES, 'none' as const];
  const severity = severities.find((s) => s === value('severity'));
  if (severity === undefined && value('severity') !== '')
    return `severity must be one of ${severities.join(', ')}, not "${value('severity')}"`;
  let labels: HostFilter['labels'];
  try {
    labels = parseLabels(value('label'), 'label');
  } catch (error) {
    if (error instanceof UsageError) return `${error.message} (write k=v or k=v,k2=v2)`;
    throw error;
  }
  const stale = value('stale');
  if (!['', '0', '1', 'false', 'true'].includes(stale)) return `stale must be 1 or 0, not "${stale}"`;
  const search = value('q');
  if (search.length > 200) return 'q (part of a host name) must be at most 200 characters';
  return {
    filter: {
      severity,
      labels,
      stale: stale === '1' || stale === 'true',
      search,
    },
    paging: { page, pageSize },
  };
}

const loginSchema = z.object({ token: z.string().min(1).max(200) });

export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const db = store.db;
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json({ error: error.code, message: error.message }, error.status);
    console.error(`bulkhead server: ${error.stack ?? error.message}`);
    return c.json({ error: 'internal', message: 'internal error; see the server log' }, 500);
  });

  const tooLarge = (c: Context): Response =>
    c.json({ error: 'too-large', message: `request body over ${maxBody} bytes` }, 413);
  const readJson = async (c: Context): Promise<unknown> => {
    try {
      return await c.req.json<unknown>();
    } catch {
      throw new ApiError(400, 'bad-json', 'the request body is not JSON');
    }
  };

  // probes for service managers and Kubernetes (`server install`): live = the process answers; ready = the store
  // answers too (a replica whose database is down is taken out of the Service, not restarted)
  app.get('/api/v1/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/api/v1/health/ready', async (c) => {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      return c.json(
        {
          status: 'unavailable',
          message: `store: ${error instanceof Error ? error.message : String(error)}`,
        },
        503,
      );
    }
    return c.json({ status: 'ok', store: store.dialect, vulndb: options.vulndb() !== undefined });
  });

  app.post('/api/v1/enrol', bodyLimit({ maxSize: 64 * 1024, onError: tooLarge }), async (c) => {
    const result = await enrolHost(db, await readJson(c));
    return c.json(result, 201);
  });

  app.post('/api/v1/reports', bodyLimit({ maxSize: maxBody, onError: tooLarge }), async (c) => {
    const text = await c.req.text();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'bad-json', 'the request body is not JSON');
    }
    const result = await ingestReport(db, options.vulndb(), raw, Buffer.byteLength(text));
    if (result.status === 'duplicate')
      return c.json({ ...result, message: 'this report was already received (idempotent)' }, 409);
    return c.json(result, 201);
  });

  // the agent asks before it builds the envelope: which inventories must go in full (at most 1,000 per question)
  app.post('/api/v1/inventories/missing', bodyLimit({ maxSize: 512 * 1024, onError: tooLarge }), async (c) =>
    c.json(await missingInventories(db, await readJson(c))),
  );

  // everything below needs a tenant
  const apiTenant = async (c: Context): Promise<Tenant> => {
    const token = bearer(c);
    if (token === undefined)
      throw new ApiError(401, 'no-token', 'send an API token: Authorization: Bearer <token>');
    const tenant = await tenantForToken(db, token);
    if (tenant === undefined) throw new ApiError(401, 'bad-token', 'unknown API token');
    return tenant;
  };

  app.get('/api/v1/overview', async (c) =>
    c.json(await fleetOverview(db, await apiTenant(c), options.query)),
  );
  app.get('/api/v1/hosts', async (c) => {
    const tenant = await apiTenant(c);
    const parsed = hostQuery((name) => c.req.query(name));
    if (typeof parsed === 'string') throw new ApiError(400, 'bad-query', parsed);
    return c.json(await fleetHosts(db, tenant, parsed.filter, parsed.paging, options.query));
  });
  app.get('/api/v1/hosts/:id', async (c) => {
    const tenant = await apiTenant(c);
    const id = c.req.param('id');
    const detail = HOST_ID.test(id) ? await hostDetail(db, tenant, id, options.query) : undefined;
    if (detail === undefined) throw new ApiError(404, 'not-found', `no host ${id}`);
    return c.json(detail);
  });
  app.get('/api/v1/images/:digest', async (c) => {
    const tenant = await apiTenant(c);
    const digest = c.req.param('digest');
    const detail = DIGEST.test(digest) ? await imageDetail(db, tenant, digest) : undefined;
    if (detail === undefined) throw new ApiError(404, 'not-found', `no image ${digest}`);
    return c.json(detail);
  });
  app.get('/api/v1/cves/:id', async (c) => {
    const tenant = await apiTenant(c);
    const id = c.req.param('id');
    if (!CVE_ID.test(id)) throw new ApiError(400, 'bad-id', `"${id}" is not a vulnerability id`);
    const paging = cvePaging(c.req.query('page'), c.req.query('limit'));
    if (typeof paging === 'string') throw new ApiError(400, 'bad-page', paging);
    return c.json({ id, ...(await hostsWithCve(db, tenant, id, paging)) });
  });
  app.get('/api/v1/authz', async (c) => {
    const tenant = await apiTenant(c);
    return c.json({
      decisions: await authzDecisions(db, tenant, {
        user: c.req.query('user'),
        action: c.req.query('action'),
        decision: c.req.query('decision'),
      }),
    });
  });
  app.get('/api/v1/events', async (c) => {
    const tenant = await apiTenant(c);
    return c.json({ events: await runtimeEvents(db, tenant, c.req.query('kind')) });
  });
  app.post('/api/v1/rematch', async (c) => {
    const tenant = await apiTenant(c);
    if (!tenant.grants.some((g) => Object.keys(g).length === 0))
      throw new ApiError(403, 'forbidden', 'rematch needs a tenant granted every host (--grant "*")');
    const vulndb = options.vulndb();
    if (vulndb === undefined)
      throw new ApiError(
        409,
        'no-vulndb',
        'the server has no vulnerability database; run `bulkhead db update` on the server',
      );
    const result = await rematchStore(store, vulndb);
    if (result === undefined)
      return c.json({ status: 'busy', message: 'another replica is rematching' }, 202);
    return c.json({ status: 'done', ...result });
  });
  app.all('/api/*', (c) =>
    c.json({ error: 'not-found', message: `no API route ${c.req.method} ${c.req.path}` }, 404),
  );

  // dashboard
  const pageTenant = async (c: Context): Promise<Tenant | undefined> => {
    const token = bearer(c) ?? getCookie(c, COOKIE);
    return token === undefined ? undefined : tenantForToken(db, token);
  };
  const page =
    (handler: (c: Context, tenant: Tenant) => Promise<string | undefined>) =>
    async (c: Context): Promise<Response> => {
      const tenant = await pageTenant(c);
      if (tenant === undefined) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
      const html = await handler(c, tenant);
      if (html === undefined) return c.html(renderNotFoundPage(tenant.name, c.req.path), 404);
      return c.html(html);
    };

  app.get('/login', (c) =>
    c.html(renderLoginPage(c.req.query('next') ?? '/', c.req.query('error') !== undefined)),
  );
  app.post('/login', bodyLimit({ maxSize: 4096, onError: tooLarge }), async (c) => {
    const form = loginSchema.safeParse(
      Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === 'string')),
    );
    const nextRaw = c.req.query('next') ?? '/';
    const next = nextRaw.startsWith('/') && !nextRaw.startsWith('//') ? nextRaw : '/';
    if (!form.success || (await tenantForToken(db, form.data.token)) === undefined)
      return c.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
    setCookie(c, COOKIE, form.data.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
  app.get(
    '/',
    page(async (c, tenant) => {
      const parsed = hostQuery((name) => c.req.query(name));
      if (typeof parsed === 'string') {
        // the fleet's numbers still show; the hosts table says what to fix
        const overview = await fleetOverview(db, tenant, options.query);
        return renderOverviewPage(tenant.name, overview, undefined, parsed);
      }
      const fleet = await fleetPage(db, tenant, parsed.filter, parsed.paging, options.query);
      return renderOverviewPage(tenant.name, fleet.overview, { ...parsed, result: fleet.hosts });
    }),
  );
  app.get(
    '/hosts/:id',
    page(async (c, tenant) => {
      const id = c.req.param('id') ?? '';
      const detail = HOST_ID.test(id) ? await hostDetail(db, tenant, id, options.query) : undefined;
      return detail === undefined ? undefined : renderHostPage(tenant.name, detail);
    }),
  );
  app.get(
    '/images/:digest',
    page(async (c, tenant) => {
      const digest = c.req.param('digest') ?? '';
      const detail = DIGEST.test(digest) ? await imageDetail(db, tenant, digest) : undefined;
      return detail === undefined ? undefined : renderImagePage(tenant.name, detail);
    }),
  );
  app.get(
    '/cves',
    page(async (c, tenant) => {
      const id = (c.req.query('id') ?? '').trim();
      if (id === '') return renderCvePage(tenant.name, '', undefined);
      if (!CVE_ID.test(id)) return renderCvePage(tenant.name, id, undefined, 'not a vulnerability id');
      const paging = cvePaging(c.req.query('page'), c.req.query('limit'));
      if (typeof paging === 'string') return renderCvePage(tenant.name, id, undefined, paging);
      return renderCvePage(tenant.name, id, await hostsWithCve(db, tenant, id, paging));
    }),
  );
  app.get(
    '/cves/:id',
    page(async (c, tenant) => {
      const id = c.req.param('id') ?? '';
      if (!CVE_ID.test(id)) return undefined;
      const paging = cvePaging(c.req.query('page'), c.req.query('limit'));
      if (typeof paging === 'string') return renderCvePage(tenant.name, id, undefined, paging);
      return renderCvePage(tenant.name, id, await hostsWithCve(db, tenant, id, paging));
    }),
  );
  app.get(
    '/authz',
    page(async (c, tenant) => {
      const filter = {
        user: c.req.query('user'),
        action: c.req.query('action'),
        decision: c.req.query('decision'),
      };
      return renderAuthzPage(tenant.name, filter, await authzDecisions(db, tenant, filter));
    }),
  );
  app.get(
    '/events',
    page(async (c, tenant) => {
      const kind = c.req.query('kind');
      return renderEventsPage(tenant.name, kind ?? '', await runtimeEvents(db, tenant, kind));
    }),
  );
  return app;
}
