// Server-rendered preact components shared by the dashboard and `--format html`: the page shell with inline CSS
// (no scripts, no external resources), severity badges, tables and charts drawn as SVG on the server.
import type { ComponentChildren, JSX } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';
import { SEVERITIES, type Severity } from '../shared/severity.js';

/** Colours with at least 4.5:1 contrast against white text (WCAG AA) for badges, and the chart fills. */
export const SEVERITY_COLOURS: Readonly<Record<Severity | 'none', string>> = {
  critical: '#8b0000',
  high: '#b03000',
  medium: '#7a5a00',
  low: '#2f5f8a',
  info: '#555555',
  none: '#2e6b34',
};

export const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fafafa}
body{margin:0}
header.top{background:#1f2937;color:#fff;padding:.6rem 1rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header.top a{color:#fff}
header.top .brand{font-weight:700;font-size:1.1rem;text-decoration:none}
nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0;flex-wrap:wrap}
main{padding:1rem 1.5rem;max-width:1200px}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1rem}
th,td{border:1px solid #d0d0d0;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eef0f3}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;word-break:break-all}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8rem;font-weight:600}
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin-bottom:1rem}
.card{background:#fff;border:1px solid #d0d0d0;border-radius:4px;padding:.6rem 1rem;min-width:10rem}
.card .n{font-size:1.6rem;font-weight:700}
form.filters{display:flex;gap:.8rem;align-items:end;flex-wrap:wrap;margin-bottom:1rem}
form.filters label{display:flex;flex-direction:column;font-size:.85rem}
form.filters label.check{flex-direction:row;gap:.3rem;align-items:center}
caption{text-align:left;padding:.2rem 0}
input,select,button{font:inherit;padding:.2rem .4rem}
.muted{color:#555}
.added{color:#8b0000}
.removed{color:#2e6b34}
a{color:#0b57a4}
`;

export function SeverityBadge({ severity }: { readonly severity: Severity | 'none' }): JSX.Element {
  return (
    <span class="badge" style={{ background: SEVERITY_COLOURS[severity] }}>
      {severity}
    </span>
  );
}

export function Page(props: {
  readonly title: string;
  readonly nav?: ComponentChildren;
  readonly children: ComponentChildren;
}): JSX.Element {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            bulkhead
          </a>
          {props.nav}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** A whole document as text, with the doctype preact does not emit. */
export function documentToString(element: JSX.Element): string {
  return `<!DOCTYPE html>\n${renderToStaticMarkup(element)}\n`;
}

/** Horizontal bars, one per row, drawn as SVG with a text alternative. */
export function BarChart(props: {
  readonly label: string;
  readonly rows: readonly { label: string; value: number; colour: string }[];
}): JSX.Element {
  const max = Math.max(1, ...props.rows.map((r) => r.value));
  const rowHeight = 22;
  const width = 420;
  const labelWidth = 110;
  return (
    <svg
      role="img"
      aria-label={`${props.label}: ${props.rows.map((r) => `${r.label} ${r.value}`).join(', ')}`}
      width={width}
      height={props.rows.length * rowHeight + 4}
      viewBox={`0 0 ${width} ${props.rows.length * rowHeight + 4}`}
    >
      {props.rows.map((row, i) => {
        const w = Math.round(((width - labelWidth - 40) * row.value) / max);
        return (
          <g key={row.label}>
            <text x={0} y={i * rowHeight + 15} font-size="12" fill="#1b1b1b">
              {row.label}
            </text>
            <rect
              x={labelWidth}
              y={i * rowHeight + 3}
              width={Math.max(w, row.value > 0 ? 2 : 0)}
              height={16}
              fill={row.colour}
            />
            <text x={labelWidth + w + 6} y={i * rowHeight + 15} font-size="12" fill="#1b1b1b">
              {row.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Daily new (up, red) and fixed (down, green) findings as a 30-day column chart. */
export function TrendChart(props: {
  readonly days: readonly { day: string; new: number; fixed: number }[];
}): JSX.Element {
  const width = 620;
  const height = 160;
  const mid = height / 2;
  const max = Math.max(1, ...props.days.map((d) => Math.max(d.new, d.fixed)));
  const step = (width - 40) / Math.max(1, props.days.length);
  const total = props.days.reduce((a, d) => ({ n: a.n + d.new, f: a.f + d.fixed }), { n: 0, f: 0 });
  return (
    <svg
      role="img"
      aria-label={`findings over the last ${props.days.length} days: ${total.n} new, ${total.f} fixed`}
      width={width}
      height={height + 20}
      viewBox={`0 0 ${width} ${height + 20}`}
    >
      <line x1={30} y1={mid} x2={width} y2={mid} stroke="#888" />
      {props.days.map((d, i) => {
        const up = Math.round(((mid - 6) * d.new) / max);
        const down = Math.round(((mid - 6) * d.fixed) / max);
        return (
          <g key={d.day}>
            <title>{`${d.day}: ${d.new} new, ${d.fixed} fixed`}</title>
            <rect
              x={30 + i * step + 1}
              y={mid - up}
              width={Math.max(1, step - 2)}
              height={up}
              fill={SEVERITY_COLOURS.critical}
            />
            <rect
              x={30 + i * step + 1}
              y={mid}
              width={Math.max(1, step - 2)}
              height={down}
              fill={SEVERITY_COLOURS.none}
            />
          </g>
        );
      })}
      <text x={0} y={12} font-size="11" fill="#1b1b1b">
        new
      </text>
      <text x={0} y={height - 2} font-size="11" fill="#1b1b1b">
        fixed
      </text>
      <text x={30} y={height + 16} font-size="11" fill="#1b1b1b">
        {props.days[0]?.day ?? ''}
      </text>
      <text x={width - 70} y={height + 16} font-size="11" fill="#1b1b1b">
        {props.days[props.days.length - 1]?.day ?? ''}
      </text>
    </svg>
  );
}

export function SeverityCounts({
  counts,
}: {
  readonly counts: Readonly<Record<Severity, number>>;
}): JSX.Element {
  const parts = SEVERITIES.filter((s) => counts[s] > 0);
  if (parts.length === 0) return <span class="muted">none</span>;
  return (
    <span>
      {parts.map((s) => (
        <span key={s}>
          <SeverityBadge severity={s} /> {counts[s]}{' '}
        </span>
      ))}
    </span>
  );
}
