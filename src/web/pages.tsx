// The dashboard's pages, rendered on the server to complete HTML documents: they work without JavaScript (links and
// GET forms carry every filter in the query string) and draw their charts as SVG (docs/server.md "Dashboard").
import type { ComponentChildren, JSX } from 'preact';
import {
  CVE_PAGE_SIZE,
  HOST_PAGE_SIZE,
  HOST_PAGE_SIZE_MAX,
  type CvePage,
  type DecisionFilter,
  type HostDetail,
  type HostFilter,
  type HostPage,
  type HostPaging,
  type ImageDetail,
  type Overview,
} from '../server/queries.js';
import { SEVERITIES, type Severity } from '../shared/severity.js';
import {
  BarChart,
  documentToString,
  Page,
  SEVERITY_COLOURS,
  SeverityBadge,
  SeverityCounts,
  TrendChart,
} from './components.js';

function Nav({ tenant }: { readonly tenant: string }): JSX.Element {
  return (
    <nav aria-label="main">
      <ul>
        <li>
          <a href="/">Fleet</a>
        </li>
        <li>
          <a href="/cves">CVE search</a>
        </li>
        <li>
          <a href="/authz">Authz decisions</a>
        </li>
        <li>
          <a href="/events">Runtime events</a>
        </li>
        <li class="muted" style={{ color: '#e5e7eb' }}>
          tenant {tenant}
        </li>
      </ul>
    </nav>
  );
}

function Shell(props: {
  readonly tenant: string;
  readonly title: string;
  readonly children: ComponentChildren;
}): string {
  return documentToString(
    <Page title={`${props.title} · bulkhead`} nav={<Nav tenant={props.tenant} />}>
      {props.children}
    </Page>,
  );
}

const asSeverity = (s: string): Severity =>
  (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : 'info';
const short = (digest: string): string => digest.slice(7, 19);

function CveForm({ value }: { readonly value: string }): JSX.Element {
  return (
    <form class="filters" method="get" action="/cves" role="search">
      <label>
        Vulnerability id
        <input name="id" value={value} placeholder="CVE-2024-3094" />
      </label>
      <button type="submit">Which hosts run it?</button>
    </form>
  );
}

/** The hosts table's filters and page, as parsed from the query string, and the page the database cut. */
export interface HostsView {
  readonly filter: HostFilter;
  readonly paging: HostPaging;
  readonly result: HostPage;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The fleet page's URL for these filters and page; defaults are left out, so links stay short. */
function hostsHref(filter: HostFilter, paging: HostPaging): string {
  const query = new URLSearchParams();
  if (filter.severity !== undefined) query.set('severity', filter.severity);
  const labels = Object.entries(filter.labels ?? {});
  if (labels.length > 0) query.set('label', labels.map(([k, v]) => `${k}=${v}`).join(','));
  if (filter.stale === true) query.set('stale', '1');
  if (filter.search !== undefined && filter.search !== '') query.set('q', filter.search);
  if (paging.pageSize !== HOST_PAGE_SIZE) query.set('pageSize', String(paging.pageSize));
  if (paging.page !== 1) query.set('page', String(paging.page));
  const text = query.toString();
  return text === '' ? '/' : `/?${text}`;
}

const PAGE_SIZES = [25, 50, HOST_PAGE_SIZE, 200, HOST_PAGE_SIZE_MAX];

function HostFilters({ filter, pageSize }: { filter: HostFilter; pageSize: number }): JSX.Element {
  const labels = Object.entries(filter.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const sizes = PAGE_SIZES.includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b);
  // a GET form: the filters go to the query string and a new filter starts at page 1
  return (
    <form class="filters" method="get" action="/" aria-label="filter hosts">
      <label>
        Worst severity
        <select name="severity">
          <option value="" selected={filter.severity === undefined}>
            any
          </option>
          {[...SEVERITIES, 'none' as const].map((s) => (
            <option key={s} value={s} selected={filter.severity === s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Label (k=v)
        <input name="label" value={labels} placeholder="env=prod" />
      </label>
      <label>
        Host name contains
        <input name="q" type="search" value={filter.search ?? ''} />
      </label>
      <label>
        Hosts per page
        <select name="pageSize">
          {sizes.map((n) => (
            <option key={n} value={String(n)} selected={n === pageSize}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" name="stale" value="1" checked={filter.stale === true} /> Stale agents only
      </label>
      <button type="submit">Filter hosts</button>
      <a href="/">Clear filters</a>
    </form>
  );
}

function HostsSection({
  view,
  error,
}: {
  view: HostsView | undefined;
  error: string | undefined;
}): JSX.Element {
  if (view === undefined)
    return (
      <>
        <HostFilters filter={{}} pageSize={HOST_PAGE_SIZE} />
        <p role="alert">{error ?? 'no hosts to show'}</p>
      </>
    );
  const { filter, paging, result } = view;
  const filtered =
    filter.severity !== undefined ||
    Object.keys(filter.labels ?? {}).length > 0 ||
    filter.stale === true ||
    (filter.search ?? '') !== '';
  const first = (result.page - 1) * result.pageSize + 1;
  const pager = {
    label: 'host pages',
    page: result.page,
    pages: result.pages,
    href: (n: number) => hostsHref(filter, { ...paging, page: n }),
  };
  const what = `${result.total === 1 ? 'host' : 'hosts'}${filtered ? ' matching the filters' : ''}`;
  return (
    <>
      <HostFilters filter={filter} pageSize={paging.pageSize} />
      {result.total === 0 ? (
        <p>No {what}.</p>
      ) : result.hosts.length === 0 ? (
        <p>
          No hosts on page {result.page}: {count(result.total)} {what} fit on {result.pages}{' '}
          {result.pages === 1 ? 'page' : 'pages'}. <a href={pager.href(result.pages)}>Go to the last page</a>.
        </p>
      ) : (
        <p>
          Showing {count(first)}–{count(first + result.hosts.length - 1)} of {count(result.total)} {what}.
        </p>
      )}
      <Pager {...pager} where="top" />
      {result.hosts.length === 0 ? null : (
        <table>
          <caption class="muted">
            Worst severity first, then by name; page {result.page} of {result.pages}
          </caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Worst</th>
              <th scope="col">Vulnerabilities</th>
              <th scope="col">Audit failures</th>
              <th scope="col">Containers</th>
              <th scope="col">Labels</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {result.hosts.map((h) => (
              <tr key={h.id}>
                <td>
                  <a href={`/hosts/${h.id}`}>{h.name}</a>
                </td>
                <td>
                  <SeverityBadge severity={h.worst} />
                </td>
                <td>
                  <SeverityCounts counts={h.vulnerabilities} />
                </td>
                <td>
                  <SeverityCounts counts={h.audit} />
                </td>
                <td>{h.containers}</td>
                <td class="mono">
                  {Object.entries(h.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td>
                  {h.lastSeen ?? 'never'}
                  {h.stale ? ' (stale)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...pager} where="bottom" />
    </>
  );
}

/** The whole visible fleet's numbers and charts, then one page of its hosts (or what to fix in the query). */
export function renderOverviewPage(
  tenant: string,
  o: Overview,
  hosts: HostsView | undefined,
  error?: string,
): string {
  const order: (Severity | 'none')[] = [...SEVERITIES, 'none'];
  return Shell({
    tenant,
    title: 'Fleet',
    children: (
      <>
        <h1>Fleet overview</h1>
        <div class="cards">
          <div class="card">
            <div class="n">{count(o.hostCount)}</div>hosts
          </div>
          <div class="card">
            <div class="n">{o.newSinceYesterday}</div>new findings since yesterday
          </div>
          <div class="card">
            <div class="n">{o.fixedSinceYesterday}</div>fixed since yesterday
          </div>
          <div class="card">
            <div class="n">{count(o.staleCount)}</div>
            <a href="/?stale=1">stale agents</a>
          </div>
        </div>
        <CveForm value="" />
        <h2>Hosts by worst severity</h2>
        <BarChart
          label="hosts by worst severity"
          rows={order.map((s) => ({ label: s, value: o.hostsByWorst[s], colour: SEVERITY_COLOURS[s] }))}
        />
        <h2>Top CVEs by hosts</h2>
        {o.topCves.length === 0 ? (
          <p class="muted">No open vulnerabilities.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">CVE</th>
                <th scope="col">Severity</th>
                <th scope="col">Hosts</th>
                <th scope="col">Containers</th>
              </tr>
            </thead>
            <tbody>
              {o.topCves.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/cves/${encodeURIComponent(c.id)}`}>{c.id}</a>
                  </td>
                  <td>
                    <SeverityBadge severity={c.severity} />
                  </td>
                  <td>{c.hosts}</td>
                  <td>{c.containers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Trend (30 days)</h2>
        <TrendChart days={o.trend} />
        <h2>Hosts</h2>
        <HostsSection view={hosts} error={error} />
      </>
    ),
  });
}

const LAYERS = ['host', 'daemon', 'container', 'image'];
const layerRank = (group: string): number => {
  const i = LAYERS.indexOf(group.split(' ')[0] ?? '');
  return i === -1 ? LAYERS.length : i;
};

export function renderHostPage(tenant: string, d: HostDetail): string {
  const findings = d.latest?.body.audit.findings ?? [];
  const groups = new Map<string, typeof findings>();
  for (const f of findings) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  const ordered = [...groups.entries()].sort(
    (a, b) => layerRank(a[0]) - layerRank(b[0]) || a[0].localeCompare(b[0]),
  );
  return Shell({
    tenant,
    title: d.host.name,
    children: (
      <>
        <h1>Host {d.host.name}</h1>
        <p>
          Worst: <SeverityBadge severity={d.host.worst} /> · last report {d.latest?.createdAt ?? 'none'} ·
          daemon <span class="mono">{d.latest?.body.daemon?.address ?? 'unknown'}</span>
          {d.latest?.body.daemon?.version === undefined ? '' : ` (Docker ${d.latest.body.daemon.version})`}
        </p>
        <h2>Changes since the previous report</h2>
        {d.previous === undefined ? (
          <p class="muted">First report from this host.</p>
        ) : (
          <ul>
            {d.diff.added.map((f) => (
              <li class="added" key={`a${f.ruleId}${f.target}`}>
                new: {f.ruleId} {f.target}
              </li>
            ))}
            {d.diff.removed.map((f) => (
              <li class="removed" key={`r${f.ruleId}${f.target}`}>
                gone: {f.ruleId} {f.target}
              </li>
            ))}
            {d.diff.containersAdded.map((c) => (
              <li key={`ca${c}`}>container started: {c}</li>
            ))}
            {d.diff.containersRemoved.map((c) => (
              <li key={`cr${c}`}>container gone: {c}</li>
            ))}
            {d.diff.added.length +
              d.diff.removed.length +
              d.diff.containersAdded.length +
              d.diff.containersRemoved.length ===
            0 ? (
              <li>no changes</li>
            ) : null}
          </ul>
        )}
        <h2>Audit findings</h2>
        {ordered.length === 0 ? <p class="muted">No audit failures.</p> : null}
        {ordered.map(([group, rows]) => (
          <section key={group}>
            <h3>{group}</h3>
            <FindingRows
              rows={rows.map((f) => ({
                id: f.ruleId,
                severity: asSeverity(f.severity),
                title: f.title,
                message: f.message,
              }))}
            />
          </section>
        ))}
        <h2>Images in use</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">Digest</th>
              <th scope="col">Containers</th>
              <th scope="col">Open vulnerabilities</th>
            </tr>
          </thead>
          <tbody>
            {d.images.map((i) => (
              <tr key={i.digest}>
                <td>{i.ref}</td>
                <td class="mono">
                  <a href={`/images/${i.digest}`}>{short(i.digest)}</a>
                </td>
                <td>{i.containers.join(', ')}</td>
                <td>
                  <SeverityCounts counts={i.open} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ),
  });
}

/** The findings table used by host pages and by the HTML report. */
export function FindingRows(props: {
  readonly rows: readonly {
    id: string;
    severity: Severity;
    title: string;
    message: string;
    target?: string;
  }[];
}): JSX.Element {
  const withTarget = props.rows.some((r) => r.target !== undefined);
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Rule</th>
          {withTarget ? <th scope="col">Target</th> : null}
          <th scope="col">Finding</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r, i) => (
          <tr key={`${r.id}${i}`}>
            <td>
              <SeverityBadge severity={r.severity} />
            </td>
            <td class="mono">{r.id}</td>
            {withTarget ? <td>{r.target}</td> : null}
            <td>
              <strong>{r.title}</strong>
              <br />
              {r.message}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function renderImagePage(tenant: string, d: ImageDetail): string {
  return Shell({
    tenant,
    title: `image ${short(d.digest)}`,
    children: (
      <>
        <h1>Image {d.ref}</h1>
        <p>
          <span class="mono">{d.digest}</span> · {d.os} · {d.packages} packages
        </p>
        <h2>Runs on</h2>
        <ul>
          {d.runsOn.map((r) => (
            <li key={`${r.hostId}${r.container}`}>
              <a href={`/hosts/${r.hostId}`}>{r.host}</a>: container {r.container}
            </li>
          ))}
        </ul>
        <h2>Vulnerabilities</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Vulnerability</th>
              <th scope="col">Severity</th>
              <th scope="col">Package</th>
              <th scope="col">Installed</th>
              <th scope="col">Fixed in</th>
              <th scope="col">Status</th>
              <th scope="col">State</th>
              <th scope="col">First seen</th>
            </tr>
          </thead>
          <tbody>
            {d.findings.map((f) => (
              <tr key={`${f.vulnerability}${f.package}`}>
                <td>
                  <a href={`/cves/${encodeURIComponent(f.vulnerability)}`}>{f.vulnerability}</a>
                </td>
                <td>
                  <SeverityBadge severity={asSeverity(f.severity)} />
                </td>
                <td>{f.package}</td>
                <td class="mono">{f.installed}</td>
                <td class="mono">{f.fixedVersion ?? '—'}</td>
                <td>{f.status}</td>
                <td>{f.state}</td>
                <td>{f.firstSeen}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ),
  });
}

/** First/previous/next/last links of a paged answer; nothing when it fits on one page. */
function Pager({
  label,
  page,
  pages,
  href,
  where,
}: {
  /** The navigation's accessible name, with where it is: "pages (top)". */
  label: string;
  page: number;
  pages: number;
  href: (page: number) => string;
  where: 'top' | 'bottom';
}): JSX.Element | null {
  if (pages <= 1) return null;
  const link = (to: number, text: string, rel?: 'prev' | 'next'): JSX.Element =>
    to >= 1 && to <= pages && to !== page ? (
      <a href={href(to)} rel={rel}>
        {text}
      </a>
    ) : (
      <span>{text}</span>
    );
  return (
    <nav aria-label={`${label} (${where})`}>
      <ul>
        <li>{link(1, '« first')}</li>
        <li>{link(Math.min(page, pages + 1) - 1, '← previous', 'prev')}</li>
        <li>
          page {page} of {pages}
        </li>
        <li>{link(page + 1, 'next →', 'next')}</li>
        <li>{link(pages, 'last »')}</li>
      </ul>
    </nav>
  );
}

/** ?page=N of the CVE answer, with its limit when not the default. */
function cvePages(id: string, result: CvePage): { page: number; pages: number; href: (n: number) => string } {
  const limit = result.pageSize === CVE_PAGE_SIZE ? '' : `&limit=${result.pageSize}`;
  return {
    page: result.page,
    pages: result.pages,
    href: (n) => `/cves/${encodeURIComponent(id)}?page=${n}${limit}`,
  };
}

export function renderCvePage(
  tenant: string,
  id: string,
  result: CvePage | undefined,
  error?: string,
): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const hits = result?.affected ?? [];
  const first = result === undefined ? 0 : (result.page - 1) * result.pageSize + 1;
  const pageContainers = new Set(hits.map((h) => `${h.hostId}/${h.containerId}`)).size;
  return Shell({
    tenant,
    title: id === '' ? 'CVE search' : id,
    children: (
      <>
        <h1>{id === '' ? 'Which hosts run an image with…' : `Hosts running an image with ${id}`}</h1>
        <CveForm value={id} />
        {error === undefined ? null : <p role="alert">{error}</p>}
        {id === '' || error !== undefined || result === undefined ? null : result.totals.containers === 0 ? (
          <p>No visible host runs an image with {id}.</p>
        ) : (
          <>
            <p>
              {plural(result.totals.hosts, 'host')}, {plural(result.totals.containers, 'container')},{' '}
              {plural(result.totals.images, 'image')}.
              {result.pages > 1 && pageContainers > 0
                ? ` Containers ${first}–${first + pageContainers - 1} on this page.`
                : ''}
            </p>
            <Pager label="pages" {...cvePages(id, result)} where="top" />
            {hits.length === 0 ? (
              <p>No containers on page {result.page}.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Container</th>
                    <th scope="col">Image</th>
                    <th scope="col">Package</th>
                    <th scope="col">Installed</th>
                    <th scope="col">Fixed in</th>
                    <th scope="col">Severity</th>
                  </tr>
                </thead>
                <tbody>
                  {hits.map((h) => (
                    <tr key={`${h.hostId}${h.containerId}${h.package}`}>
                      <td>
                        <a href={`/hosts/${h.hostId}`}>{h.host}</a>
                      </td>
                      <td>{h.container}</td>
                      <td>
                        <a href={`/images/${h.digest}`}>{h.image}</a>
                      </td>
                      <td>{h.package}</td>
                      <td class="mono">{h.installed}</td>
                      <td class="mono">{h.fixedVersion ?? '—'}</td>
                      <td>
                        <SeverityBadge severity={asSeverity(h.severity)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager label="pages" {...cvePages(id, result)} where="bottom" />
          </>
        )}
      </>
    ),
  });
}

export function renderAuthzPage(
  tenant: string,
  filter: DecisionFilter,
  rows: readonly {
    host: string;
    at: string;
    user: string;
    action: string;
    decision: string;
    reason: string;
  }[],
): string {
  return Shell({
    tenant,
    title: 'Authz decisions',
    children: (
      <>
        <h1>Authorization decisions</h1>
        <form class="filters" method="get" action="/authz">
          <label>
            User
            <input name="user" value={filter.user ?? ''} />
          </label>
          <label>
            Action
            <input name="action" value={filter.action ?? ''} />
          </label>
          <label>
            Decision
            <select name="decision">
              {['', 'allow', 'deny'].map((d) => (
                <option key={d} value={d} selected={(filter.decision ?? '') === d}>
                  {d === '' ? 'any' : d}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Filter</button>
        </form>
        {rows.length === 0 ? (
          <p class="muted">No decisions match.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Host</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Decision</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.at}${i}`}>
                  <td>{r.at}</td>
                  <td>{r.host}</td>
                  <td>{r.user}</td>
                  <td class="mono">{r.action}</td>
                  <td>{r.decision}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
  });
}

export function renderEventsPage(
  tenant: string,
  kind: string,
  rows: readonly { host: string; at: string; kind: string; container: string; detail: string }[],
): string {
  return Shell({
    tenant,
    title: 'Runtime events',
    children: (
      <>
        <h1>Runtime events</h1>
        <form class="filters" method="get" action="/events">
          <label>
            Kind
            <input name="kind" value={kind} />
          </label>
          <button type="submit">Filter</button>
        </form>
        {rows.length === 0 ? (
          <p class="muted">No runtime events (agents ship them once `bulkhead watch` runs on their host).</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Host</th>
                <th scope="col">Kind</th>
                <th scope="col">Container</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.at}${i}`}>
                  <td>{r.at}</td>
                  <td>{r.host}</td>
                  <td>{r.kind}</td>
                  <td>{r.container}</td>
                  <td class="mono">{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
  });
}

export function renderLoginPage(next: string, failed: boolean): string {
  return documentToString(
    <Page title="Sign in · bulkhead">
      <h1>Sign in</h1>
      {failed ? <p role="alert">That API token is not valid.</p> : null}
      <form method="post" action={`/login?next=${encodeURIComponent(next)}`}>
        <label>
          API token <input name="token" type="password" autocomplete="off" required />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">Create one on the server with `bulkhead server tenant create NAME --grant k=v`.</p>
    </Page>,
  );
}

export function renderNotFoundPage(tenant: string, path: string): string {
  return Shell({
    tenant,
    title: 'Not found',
    children: (
      <>
        <h1>Not found</h1>
        <p>
          Nothing at <code>{path}</code> that tenant {tenant} may see.
        </p>
      </>
    ),
  });
}
