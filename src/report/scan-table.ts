// Table renderer for `bulkhead scan`: findings grouped by layer (in layer order, with the history entry that made
// it), then by package, then image-level configuration findings; diagnostics and a one-line summary at the end.
import type { Finding, LayerRef } from '../shared/finding.js';
import { SEVERITIES, type Severity } from '../shared/severity.js';
import { summarize, type Report } from '../shared/report.js';
import { bold, dim, paintSeverity, truncate, type TextStyle } from './text.js';
import { renderColumns } from '../shared/columns.js';

export interface ScanTableOptions extends TextStyle {
  /** Maximum width of the title column. */
  readonly width?: number;
  /** Show passing and not-applicable image checks too. */
  readonly showAll?: boolean;
}

function layerOf(finding: Finding): LayerRef | undefined {
  const t = finding.target;
  return t.kind === 'package' || t.kind === 'image' ? t.layer : undefined;
}

function layerHeading(layer: LayerRef, style: TextStyle): string {
  const digest = layer.digest.replace(/^sha256:/, '').slice(0, 12);
  const createdBy =
    layer.createdBy === undefined
      ? ''
      : `  ${dim(truncate(layer.createdBy.replace(/^\/bin\/sh -c (#\(nop\)\s*)?/, ''), 70), style)}`;
  return `${bold(`Layer ${layer.index}`, style)}  ${digest}${createdBy}`;
}

function vulnRows(findings: readonly Finding[], style: ScanTableOptions): string {
  const rows = findings.map((f) => [
    paintSeverity(f.severity, f.severity.toUpperCase(), style),
    f.vulnerability?.id ?? f.ruleId,
    f.vulnerability?.status ?? '',
    f.vulnerability?.fixedVersion ?? '',
    truncate(f.title, style.width ?? 60),
  ]);
  return renderColumns(['SEVERITY', 'ID', 'STATUS', 'FIXED IN', 'TITLE'], rows, '    ');
}

function imageRows(findings: readonly Finding[], style: ScanTableOptions): string {
  const rows = findings.map((f) => [
    f.outcome.kind === 'fail'
      ? paintSeverity(f.severity, f.severity.toUpperCase(), style)
      : f.outcome.kind.toUpperCase(),
    f.ruleId,
    truncate(
      f.outcome.kind === 'fail' || f.outcome.kind === 'pass' ? f.message : f.outcome.reason,
      style.width ?? 120,
    ),
  ]);
  return renderColumns(['SEVERITY', 'RULE', 'DETAIL'], rows, '    ');
}

export function renderScanTable(report: Report, style: ScanTableOptions): string {
  const shown = report.findings.filter((f) => style.showAll === true || f.outcome.kind === 'fail');
  const out: string[] = [];
  const artifact = report.artifact;
  if (artifact !== undefined && typeof artifact['summary'] === 'string')
    out.push(bold(artifact['summary'], style), '');
  const byLayer = new Map<number, { layer: LayerRef; findings: Finding[] }>();
  const unlayered: Finding[] = [];
  for (const f of shown) {
    const layer = layerOf(f);
    if (layer === undefined) {
      unlayered.push(f);
      continue;
    }
    const entry = byLayer.get(layer.index) ?? { layer, findings: [] };
    entry.findings.push(f);
    byLayer.set(layer.index, entry);
  }
  const renderGroup = (findings: readonly Finding[]): void => {
    const packages = new Map<string, Finding[]>();
    const images: Finding[] = [];
    for (const f of findings) {
      if (f.target.kind !== 'package') {
        images.push(f);
        continue;
      }
      const t = f.target;
      const source =
        t.sourceName !== undefined && t.sourceName !== t.name
          ? ` (source ${t.sourceName} ${t.sourceVersion ?? ''})`.replace(/ \)$/, ')')
          : '';
      const key = `${t.name} ${t.version}${source}`;
      packages.set(key, [...(packages.get(key) ?? []), f]);
    }
    for (const key of [...packages.keys()].sort()) {
      out.push(`  ${bold(key, style)}`);
      out.push(vulnRows(packages.get(key) ?? [], style));
    }
    if (images.length > 0) {
      out.push(`  ${bold('image files and configuration', style)}`);
      out.push(imageRows(images, style));
    }
  };
  for (const index of [...byLayer.keys()].sort((a, b) => a - b)) {
    const group = byLayer.get(index);
    if (group === undefined) continue;
    out.push(layerHeading(group.layer, style));
    renderGroup(group.findings);
    out.push('');
  }
  if (unlayered.length > 0) {
    out.push(bold(report.subjects.length > 0 ? `Image ${report.subjects.join(', ')}` : 'Image', style));
    renderGroup(unlayered);
    out.push('');
  }
  for (const d of report.diagnostics) out.push(dim(`${d.level}: ${d.subject}: ${d.message}`, style));
  const failed = report.findings.filter((f) => f.outcome.kind === 'fail');
  const vulns = failed.filter((f) => f.vulnerability !== undefined);
  const count = (list: readonly Finding[]): string => {
    const by: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    for (const f of list) by[f.severity] += 1;
    return SEVERITIES.map((s) => `${by[s]} ${s}`).join(', ');
  };
  const packages = new Set(
    vulns.map((f) => (f.target.kind === 'package' ? `${f.target.name} ${f.target.version}` : '')),
  );
  const summary = summarize(report.findings);
  out.push(
    `scan: ${vulns.length} vulnerabilities in ${packages.size} packages (${count(vulns)}); ` +
      `${failed.length - vulns.length} image findings; ${summary.byOutcome.pass} checks passed`,
  );
  return `${out.join('\n')}\n`;
}
