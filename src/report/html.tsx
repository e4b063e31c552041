// HTML renderer (`--format html`): one self-contained document from the dashboard's preact components (inline CSS,
// no scripts, a CSP that forbids loading anything), grouped as the text report groups it. Every string from the
// outside world goes through preact's escaping; no dangerouslySetInnerHTML but the constant stylesheet.
import type { JSX } from 'preact';
import { describeTarget, type Finding } from '../shared/finding.js';
import { summarize, type Report } from '../shared/report.js';
import { SEVERITIES } from '../shared/severity.js';
import { CSS, documentToString, SeverityBadge, SeverityCounts } from '../web/components.js';
import type { TableGroup } from './table.js';

export interface HtmlOptions {
  /** Heading and rank of each finding's group, as the table renderer takes it (audit: host -> daemon -> ...). */
  readonly groupBy?: (finding: Finding) => TableGroup;
}

/** Nothing loads, nothing runs: styles inline, images only as data: URLs. */
export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const EXTRA_CSS = `
.finding{background:#fff;border:1px solid #d0d0d0;border-radius:4px;padding:.5rem .8rem;margin:.5rem 0}
.finding h4{margin:0 0 .3rem;font-size:.95rem;display:flex;gap:.5rem;align-items:baseline;flex-wrap:wrap}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.3rem 0 0;font-size:.9rem}
.finding dt{color:#555}
.finding dd{margin:0}
.finding ul{margin:0;padding-left:1.1rem}
header.top .meta{font-size:.85rem}
`;

interface Group {
  readonly heading: string;
  readonly findings: readonly Finding[];
}

/** Groups in rank order, then in the order they first appear (the table renderer's rule). */
function groupFindings(findings: readonly Finding[], groupBy: (f: Finding) => TableGroup): Group[] {
  const groups = new Map<string, { rank: number; index: number; findings: Finding[] }>();
  for (const finding of findings) {
    const { heading, rank } = groupBy(finding);
    const group = groups.get(heading) ?? { rank, index: groups.size, findings: [] };
    group.findings.push(finding);
    groups.set(heading, group);
  }
  return [...groups]
    .sort(([, a], [, b]) => a.rank - b.rank || a.index - b.index)
    .map(([heading, g]) => ({ heading, findings: g.findings }));
}

/** scan: one group per package ("openssl 3.0.11-1"), its layer named; image files and configuration last. */
function scanGroup(finding: Finding): TableGroup {
  const t = finding.target;
  if (t.kind !== 'package')
    return { heading: 'image files and configuration', rank: Number.MAX_SAFE_INTEGER };
  const source =
    t.sourceName !== undefined && t.sourceName !== t.name
      ? ` (source ${t.sourceName}${t.sourceVersion === undefined ? '' : ` ${t.sourceVersion}`})`
      : '';
  const layer = t.layer === undefined ? '' : ` — layer ${t.layer.index}`;
  return { heading: `${t.name} ${t.version}${source}${layer}`, rank: t.layer?.index ?? 0 };
}

/** The subject as the text report prints it: line:column under its own file's heading. */
function subjectOf(finding: Finding, heading: string): string {
  const t = finding.target;
  if (t.kind === 'file' && t.path === heading) return `${t.line}:${t.column}`;
  return describeTarget(t);
}

/** Only web links become anchors; anything else (javascript:, data:) is shown as text. */
function Reference({ url }: { readonly url: string }): JSX.Element {
  return /^https?:\/\//i.test(url) ? <a href={url}>{url}</a> : <code>{url}</code>;
}

function FindingCard({
  finding,
  heading,
}: {
  readonly finding: Finding;
  readonly heading: string;
}): JSX.Element {
  const v = finding.vulnerability;
  const installed = finding.target.kind === 'package' ? finding.target.version : undefined;
  const reason =
    finding.outcome.kind === 'skip' || finding.outcome.kind === 'not-applicable'
      ? finding.outcome.reason
      : undefined;
  return (
    <section class="finding" aria-label={`${finding.ruleId} ${subjectOf(finding, heading)}`}>
      <h4>
        <SeverityBadge severity={finding.severity} />
        <code>{v?.id ?? finding.ruleId}</code>
        <span>{finding.title}</span>
      </h4>
      <dl>
        {v !== undefined && v.id !== finding.ruleId ? (
          <>
            <dt>rule</dt>
            <dd>
              <code>{finding.ruleId}</code>
            </dd>
          </>
        ) : null}
        <dt>subject</dt>
        <dd>
          <code>{subjectOf(finding, heading)}</code>
        </dd>
        {v !== undefined ? (
          <>
            <dt>version</dt>
            <dd>
              <code>{installed ?? ''}</code> → <code>{v.fixedVersion ?? 'no fix yet'}</code> ({v.status},{' '}
              {v.source})
            </dd>
          </>
        ) : null}
        {finding.aliases.length > 0 ? (
          <>
            <dt>aliases</dt>
            <dd>{finding.aliases.join(', ')}</dd>
          </>
        ) : null}
        <dt>message</dt>
        <dd>{finding.message}</dd>
        {reason !== undefined ? (
          <>
            <dt>{finding.outcome.kind}</dt>
            <dd>{reason}</dd>
          </>
        ) : null}
        {finding.evidence.length > 0 ? (
          <>
            <dt>evidence</dt>
            <dd>
              <ul>
                {finding.evidence.map((e, i) => (
                  <li key={i}>
                    <code>{e.source}</code> = <code>{e.value}</code>
                    {e.expected === undefined ? null : (
                      <>
                        {' '}
                        (expected <code>{e.expected}</code>)
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {finding.remediation === '' ? null : (
          <>
            <dt>remediation</dt>
            <dd>{finding.remediation}</dd>
          </>
        )}
        {finding.references.length > 0 ? (
          <>
            <dt>references</dt>
            <dd>
              <ul>
                {finding.references.map((url) => (
                  <li key={url}>
                    <Reference url={url} />
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function Groups(props: {
  readonly findings: readonly Finding[];
  readonly groupBy: (f: Finding) => TableGroup;
}): JSX.Element {
  return (
    <>
      {groupFindings(props.findings, props.groupBy).map((g) => (
        <section key={g.heading} aria-label={g.heading}>
          <h3>
            <code>{g.heading}</code> <span class="muted">({g.findings.length})</span>
          </h3>
          {g.findings.map((f, i) => (
            <FindingCard key={i} finding={f} heading={g.heading} />
          ))}
        </section>
      ))}
    </>
  );
}

function ReportDocument({
  report,
  options,
}: {
  readonly report: Report;
  readonly options: HtmlOptions;
}): JSX.Element {
  const summary = summarize(report.findings);
  const groupBy =
    report.command === 'scan'
      ? scanGroup
      : (options.groupBy ?? ((f: Finding) => ({ heading: describeTarget(f.target), rank: 0 })));
  const failed = report.findings.filter((f) => f.outcome.kind === 'fail');
  const others = report.findings.filter((f) => f.outcome.kind !== 'fail');
  const summaryLine = report.artifact?.['summary'];
  const title = `bulkhead ${report.command}: ${report.subjects.join(', ') || 'report'}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content={HTML_CSP} />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS + EXTRA_CSS }} />
      </head>
      <body>
        <header class="top">
          <span class="brand">
            {report.tool.name} {report.command}
          </span>
          <span class="meta">version {report.tool.version}</span>
          <span class="meta">
            generated <time dateTime={report.generatedAt}>{report.generatedAt}</time>
          </span>
        </header>
        <main>
          <h1>{title}</h1>
          <table>
            <tbody>
              <tr>
                <th scope="row">tool</th>
                <td>
                  {report.tool.name} {report.tool.version}
                </td>
              </tr>
              <tr>
                <th scope="row">command</th>
                <td>{report.command}</td>
              </tr>
              <tr>
                <th scope="row">target</th>
                <td>
                  {report.subjects.map((s) => (
                    <div key={s}>
                      <code>{s}</code>
                    </div>
                  ))}
                </td>
              </tr>
              {typeof summaryLine === 'string' ? (
                <tr>
                  <th scope="row">examined</th>
                  <td>{summaryLine}</td>
                </tr>
              ) : null}
              <tr>
                <th scope="row">time</th>
                <td>{report.generatedAt}</td>
              </tr>
            </tbody>
          </table>
          <h2>Failures by severity</h2>
          <div class="cards" aria-label="failures by severity">
            {SEVERITIES.map((s) => (
              <div class="card" key={s} data-severity={s}>
                <SeverityBadge severity={s} />
                <div class="n">{summary.failuresBySeverity[s]}</div>
              </div>
            ))}
          </div>
          <p>
            {summary.byOutcome.fail} failed (<SeverityCounts counts={summary.failuresBySeverity} />
            ), {summary.byOutcome.pass} passed, {summary.byOutcome.skip} skipped,{' '}
            {summary.byOutcome['not-applicable']} not applicable
          </p>
          <h2>Findings</h2>
          {failed.length === 0 ? <p>No failures.</p> : <Groups findings={failed} groupBy={groupBy} />}
          {report.diagnostics.length > 0 ? (
            <>
              <h2>Diagnostics</h2>
              <ul>
                {report.diagnostics.map((d, i) => (
                  <li key={i}>
                    {d.level}: <code>{d.subject}</code>: {d.message}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {others.length > 0 ? (
            <>
              <h2>Passed, skipped and not applicable checks</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">result</th>
                    <th scope="col">rule</th>
                    <th scope="col">subject</th>
                    <th scope="col">title</th>
                    <th scope="col">reason</th>
                  </tr>
                </thead>
                <tbody>
                  {others.map((f, i) => (
                    <tr key={i}>
                      <td>{f.outcome.kind}</td>
                      <td>
                        <code>{f.ruleId}</code>
                      </td>
                      <td>
                        <code>{describeTarget(f.target)}</code>
                      </td>
                      <td>{f.title}</td>
                      <td>
                        {f.outcome.kind === 'skip' || f.outcome.kind === 'not-applicable'
                          ? f.outcome.reason
                          : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </main>
      </body>
    </html>
  );
}

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  return documentToString(<ReportDocument report={report} options={options} />);
}
