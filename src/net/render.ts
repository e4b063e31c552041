// Renders the container-to-container graph of a host for `bulkhead watch flows -f table|json|dot|svg`: pure
// functions returning text (the CLI writes it). The SVG lays nodes on a circle, containers as boxes, addresses as
// ellipses, one arrow per edge labelled port/proto; denied edges are red, dashed and labelled "denied".
import { renderColumns } from '../shared/columns.js';
import { endpointLabel, type Edge, type Endpoint } from './types.js';

export type FlowFormat = 'table' | 'json' | 'dot' | 'svg';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function renderFlowsTable(edges: readonly Edge[]): string {
  const head = ['CLIENT', 'SERVER', 'PORT', 'NETWORK', 'CONNECTIONS', 'DENIED', 'LAST SEEN'];
  const rows = edges.map((e) => [
    endpointLabel(e.client),
    endpointLabel(e.server),
    `${e.port}/${e.proto}`,
    e.network ?? '-',
    String(e.count),
    String(e.denied),
    iso(e.lastSeen),
  ]);
  if (rows.length === 0) return 'no flows recorded\n';
  return `${renderColumns(head, rows)}\n`;
}

export function renderFlowsJson(edges: readonly Edge[]): string {
  return `${JSON.stringify(
    {
      edges: edges.map((e) => ({
        client: e.client,
        server: e.server,
        port: e.port,
        proto: e.proto,
        network: e.network ?? null,
        connections: e.count,
        denied: e.denied,
        firstSeen: iso(e.firstSeen),
        lastSeen: iso(e.lastSeen),
      })),
    },
    null,
    2,
  )}\n`;
}

const dotQuote = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export function renderFlowsDot(edges: readonly Edge[]): string {
  const nodes = collectNodes(edges);
  const lines = ['digraph flows {', '  rankdir=LR;', '  node [fontname="sans-serif"];'];
  for (const n of nodes)
    lines.push(
      `  ${dotQuote(n.label)} [shape=${n.endpoint.kind === 'container' ? 'box, style=rounded' : 'ellipse'}];`,
    );
  for (const e of edges) {
    const label = `${e.port}/${e.proto}${e.denied > 0 ? ` denied ${e.denied}` : ''}`;
    const style =
      e.denied > 0 && e.count === 0 ? ', color=red, style=dashed' : e.denied > 0 ? ', color=red' : '';
    lines.push(
      `  ${dotQuote(endpointLabel(e.client))} -> ${dotQuote(endpointLabel(e.server))} [label=${dotQuote(label)}${style}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

interface GraphNode {
  readonly label: string;
  readonly endpoint: Endpoint;
}

function collectNodes(edges: readonly Edge[]): GraphNode[] {
  const nodes = new Map<string, GraphNode>();
  for (const e of edges)
    for (const endpoint of [e.client, e.server]) {
      const label = endpointLabel(endpoint);
      if (!nodes.has(label)) nodes.set(label, { label, endpoint });
    }
  return [...nodes.values()].sort((a, b) => a.label.localeCompare(b.label));
}

const xml = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

export function renderFlowsSvg(edges: readonly Edge[]): string {
  const nodes = collectNodes(edges);
  const n = Math.max(nodes.length, 1);
  const radius = Math.max(180, n * 40);
  const size = 2 * radius + 240;
  const cx = size / 2;
  const cy = size / 2;
  const pos = new Map<string, { x: number; y: number }>();
  nodes.forEach((node, i) => {
    const angle = (2 * Math.PI * i) / n - Math.PI / 2;
    pos.set(node.label, {
      x: Math.round(cx + radius * Math.cos(angle)),
      y: Math.round(cy + radius * Math.sin(angle)),
    });
  });
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 30}" viewBox="0 0 ${size} ${size + 30}" font-family="sans-serif" font-size="13">`,
    '<title>bulkhead watch flows</title>',
    '<defs>',
    '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>',
    '<marker id="arrow-denied" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>',
    '</defs>',
    `<rect width="${size}" height="${size + 30}" fill="#fff"/>`,
  ];
  // parallel edges between one pair are fanned out so their labels do not overlap
  const pairCount = new Map<string, number>();
  for (const e of edges) {
    const from = pos.get(endpointLabel(e.client));
    const to = pos.get(endpointLabel(e.server));
    if (from === undefined || to === undefined) continue;
    const pair = `${endpointLabel(e.client)}>${endpointLabel(e.server)}`;
    const k = pairCount.get(pair) ?? 0;
    pairCount.set(pair, k + 1);
    const denied = e.denied > 0;
    const onlyDenied = denied && e.count === 0;
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const len = Math.max(Math.hypot(dx, dy), 1);
    // stop short of the node box; bend by the pair index
    const sx = from.x + (dx / len) * 45;
    const sy = from.y + (dy / len) * 22;
    const ex = to.x - (dx / len) * 48;
    const ey = to.y - (dy / len) * 24;
    const bend = 30 + 25 * k;
    const mx = (sx + ex) / 2 - (dy / len) * bend;
    const my = (sy + ey) / 2 + (dx / len) * bend;
    const label = `${e.port}/${e.proto}${denied ? ` denied${onlyDenied ? '' : ` ×${e.denied}`}` : ''}`;
    const color = denied ? '#c0392b' : '#444';
    out.push(
      `<g class="edge${denied ? ' denied' : ''}" data-from="${xml(endpointLabel(e.client))}" data-to="${xml(endpointLabel(e.server))}" data-port="${e.port}" data-proto="${e.proto}" data-connections="${e.count}" data-denied="${e.denied}">`,
      `<title>${xml(`${endpointLabel(e.client)} -> ${endpointLabel(e.server)}:${e.port}/${e.proto}: ${e.count} connection(s), ${e.denied} denied`)}</title>`,
      `<path d="M${sx.toFixed(1)},${sy.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${ex.toFixed(1)},${ey.toFixed(1)}" fill="none" stroke="${color}" stroke-width="1.6"${onlyDenied ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#${denied ? 'arrow-denied' : 'arrow'})"/>`,
      `<text x="${((sx + ex) / 2 + (mx - (sx + ex) / 2) / 2).toFixed(1)}" y="${((sy + ey) / 2 + (my - (sy + ey) / 2) / 2).toFixed(1)}" text-anchor="middle" fill="${color}" stroke="#fff" stroke-width="3" paint-order="stroke">${xml(label)}</text>`,
      '</g>',
    );
  }
  for (const node of nodes) {
    const p = pos.get(node.label);
    if (p === undefined) continue;
    const width = Math.max(80, node.label.length * 8 + 20);
    const shape =
      node.endpoint.kind === 'container'
        ? `<rect x="${p.x - width / 2}" y="${p.y - 18}" width="${width}" height="36" rx="8" fill="#eaf2fb" stroke="#2c6fb7"/>`
        : `<ellipse cx="${p.x}" cy="${p.y}" rx="${width / 2}" ry="18" fill="#f4f4f4" stroke="#777"/>`;
    out.push(
      `<g class="node ${node.endpoint.kind}" data-name="${xml(node.label)}">`,
      shape,
      `<text x="${p.x}" y="${p.y + 5}" text-anchor="middle">${xml(node.label)}</text>`,
      '</g>',
    );
  }
  out.push(
    `<text x="12" y="${size + 18}" fill="#555" font-size="11">boxes: containers · ellipses: addresses · arrows: client → server, port/proto · red dashed: denied</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

export function renderFlows(edges: readonly Edge[], format: FlowFormat): string {
  switch (format) {
    case 'table':
      return renderFlowsTable(edges);
    case 'json':
      return renderFlowsJson(edges);
    case 'dot':
      return renderFlowsDot(edges);
    case 'svg':
      return renderFlowsSvg(edges);
    default:
      return format satisfies never;
  }
}
