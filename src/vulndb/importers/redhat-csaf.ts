// Imports Red Hat CSAF 2.0 documents (https://docs.oasis-open.org/csaf/csaf/v2.0/; Red Hat's VEX files, one per CVE,
// and its RHSA security advisories) and Red Hat's repository-to-cpe.json. product_tree gives products (with a CPE)
// and components (with a purl or an NEVRA id); relationships join them into "<product>:<component>" ids; each
// vulnerability lists those ids as fixed / known_affected / known_not_affected, with remediations vendor_fix (the
// RHSA), no_fix_planned ("Will not fix", "Out of support scope") and none_available ("Affected"). A fixed id
// becomes a "fixed" advisory for the component's binary name and EVR; known_affected becomes "wont-fix" when a
// no_fix_planned remediation names it, else "open"; known_not_affected writes nothing. The release of every
// advisory is the product's CPE, so the detector picks products by the image's content sets. A module component
// (purl qualifier rpmmod=name:stream, or a "name:stream/pkg" id) is keyed "name:stream/pkg".
import { z } from 'zod';
import type { Severity } from '../../shared/severity.js';
import { compareRpmVersions } from '../../versioning/rpm.js';
import type { AdvisoryStatus } from '../schema.js';
import { rpmPackageKey, skip, type AdvisoryRecord, type AdvisorySink, type ImportStats } from '../types.js';
import { shortDescription } from './ids.js';

const productSchema = z.object({
  product_id: z.string().min(1).max(1000),
  product_identification_helper: z
    .object({ cpe: z.string().max(500).optional(), purl: z.string().max(2000).optional() })
    .loose()
    .optional(),
});
interface Branch {
  readonly product?: unknown;
  readonly branches?: unknown;
}
const relationshipSchema = z.object({
  product_reference: z.string().max(1000),
  relates_to_product_reference: z.string().max(1000),
  full_product_name: z.object({ product_id: z.string().max(2000) }),
});
const vulnerabilitySchema = z.object({
  cve: z.string().max(100).optional(),
  title: z.string().optional(),
  product_status: z.record(z.string(), z.array(z.string()).max(200_000)).nullish(),
  remediations: z
    .array(
      z.object({
        category: z.string(),
        details: z.string().nullish(),
        product_ids: z.array(z.string()).max(200_000).nullish(),
        url: z.string().nullish(),
      }),
    )
    .nullish(),
  threats: z
    .array(
      z.object({
        category: z.string(),
        details: z.string().nullish(),
        product_ids: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
  notes: z.array(z.object({ category: z.string(), text: z.string().optional() })).nullish(),
});
const documentSchema = z.object({
  document: z.object({
    category: z.enum(['csaf_vex', 'csaf_security_advisory']),
    tracking: z.object({ id: z.string().max(100) }),
    aggregate_severity: z.object({ text: z.string() }).partial().nullish(),
  }),
  product_tree: z
    .object({ branches: z.array(z.unknown()).optional(), relationships: z.array(z.unknown()).optional() })
    .optional(),
  vulnerabilities: z.array(z.unknown()).max(10_000).optional(),
});

export function looksLikeRedhatCsaf(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || !('document' in doc) || !('vulnerabilities' in doc))
    return false;
  const d = doc.document;
  return (
    typeof d === 'object' &&
    d !== null &&
    'category' in d &&
    (d.category === 'csaf_vex' || d.category === 'csaf_security_advisory')
  );
}

/** Red Hat's impact words -> bulkhead severity. */
export function impactSeverity(text: string | null | undefined): Severity | null {
  switch ((text ?? '').trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'important':
      return 'high';
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    default:
      return null;
  }
}

export interface RpmComponent {
  readonly name: string;
  /** "[epoch:]version-release" (epoch 0 left out), undefined for a version-less component ("vim"). */
  readonly evr: string | undefined;
  readonly arch: string | undefined;
  readonly stream: { module: string; stream: string } | undefined;
}

/** Name and stream from a purl's rpmmod qualifier ("name:stream[:version:context]"); "rhel10" gives undefined. */
function rpmmod(value: string | undefined): { module: string; stream: string } | undefined {
  const m = /^([^:/]+):([^:/]+)(?::[^:/]*){0,2}$/.exec(value ?? '');
  return m === null ? undefined : { module: m[1] ?? '', stream: m[2] ?? '' };
}

/** A component from its purl (pkg:rpm/redhat/NAME@VERSION-RELEASE?arch=A&epoch=E&rpmmod=M:S), else its id. */
export function parseComponent(id: string, purl: string | undefined): RpmComponent | undefined {
  if (purl !== undefined) {
    const m = /^pkg:rpm\/[^/]+\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(purl);
    if (m === null) return undefined; // pkg:oci/..., other ecosystems: not an rpm
    const [, rawName = '', rawVersion, query = ''] = m;
    const params = new URLSearchParams(query);
    const name = decodeURIComponent(rawName);
    const version = rawVersion === undefined ? undefined : decodeURIComponent(rawVersion);
    const mod = params.get('rpmmod') ?? undefined;
    const stream = rpmmod(mod);
    if (mod !== undefined && stream === undefined) return undefined; // "rpmmod=rhel10": cannot be matched safely
    const epoch = params.get('epoch');
    // a module's own purl puts the stream in the version slot ("go-toolset@rhel8?rpmmod=go-toolset:rhel8")
    const evr =
      version === undefined || version === stream?.stream || !version.includes('-')
        ? undefined
        : `${epoch !== null && epoch !== '0' ? `${epoch}:` : ''}${version}`;
    return { name, evr, arch: params.get('arch') ?? undefined, stream };
  }
  // "curl-0:7.76.1-14.el9_0.9.x86_64" (NEVRA as Red Hat writes product ids)
  const nevra = /^(.+)-(\d+):([^-:]+)-([^-:]+)\.([A-Za-z0-9_]+)$/.exec(id);
  if (nevra !== null) {
    const [, name = '', epoch = '0', version = '', release = '', arch = ''] = nevra;
    return { name, evr: `${epoch === '0' ? '' : `${epoch}:`}${version}-${release}`, arch, stream: undefined };
  }
  // "go-toolset:rhel8/go-toolset" (module stream component) or a plain component name "vim"
  const modular = /^([^:/]+):([^:/]+)\/([^:/]+)$/.exec(id);
  if (modular !== null) {
    const [, module = '', stream = '', name = ''] = modular;
    return { name, evr: undefined, arch: undefined, stream: { module, stream } };
  }
  if (/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(id))
    return { name: id.replace(/\.src$/, ''), evr: undefined, arch: undefined, stream: undefined };
  return undefined;
}

function collectProducts(
  branches: unknown,
  out: Map<string, { cpe?: string; purl?: string }>,
  depth = 0,
): void {
  if (!Array.isArray(branches) || depth > 20) return;
  for (const raw of branches as (Branch | null)[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const product = productSchema.safeParse(raw.product);
    if (product.success) {
      const helper = product.data.product_identification_helper;
      out.set(product.data.product_id, {
        ...(helper?.cpe === undefined ? {} : { cpe: helper.cpe }),
        ...(helper?.purl === undefined ? {} : { purl: helper.purl }),
      });
    }
    collectProducts(raw.branches, out, depth + 1);
  }
}

const RHSA = /\b(RH[SBE]A-\d{4}:\d+)\b/;

/** Imports one CSAF document into the current source. */
export function importRedhatCsaf(doc: unknown, sink: AdvisorySink, stats: ImportStats, where: string): void {
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) {
    skip(stats, `${where}: not a Red Hat CSAF document`);
    return;
  }
  const { document, product_tree: tree, vulnerabilities = [] } = parsed.data;
  const products = new Map<string, { cpe?: string; purl?: string }>();
  collectProducts(tree?.branches, products);
  /** full product id -> (product CPE, component) */
  const joined = new Map<string, { cpe: string; component: RpmComponent }>();
  for (const raw of tree?.relationships ?? []) {
    const rel = relationshipSchema.safeParse(raw);
    if (!rel.success) continue;
    const cpe = products.get(rel.data.relates_to_product_reference)?.cpe;
    if (cpe === undefined) continue;
    const ref = rel.data.product_reference;
    const component = parseComponent(ref, products.get(ref)?.purl);
    if (component !== undefined) joined.set(rel.data.full_product_name.product_id, { cpe, component });
  }
  const documentSeverity = impactSeverity(document.aggregate_severity?.text);
  const documentAdvisory = RHSA.exec(document.tracking.id)?.[1];
  let added = 0;
  for (const [index, raw] of vulnerabilities.entries()) {
    const vuln = vulnerabilitySchema.safeParse(raw);
    if (!vuln.success || vuln.data.cve === undefined) {
      skip(stats, `${where} vulnerabilities[${index}]: no CVE or malformed`);
      continue;
    }
    const { cve, product_status: status, remediations, threats, notes } = vuln.data;
    const wontFix = new Set<string>();
    const advisories = new Set<string>(documentAdvisory === undefined ? [] : [documentAdvisory]);
    const byRemediation = new Map<string, AdvisoryStatus>();
    for (const r of remediations ?? []) {
      for (const id of r.product_ids ?? []) {
        if (r.category === 'no_fix_planned') {
          wontFix.add(id);
          byRemediation.set(id, 'wont-fix');
        } else if (r.category === 'none_available' && !byRemediation.has(id)) byRemediation.set(id, 'open');
        else if (r.category === 'vendor_fix') byRemediation.set(id, 'fixed');
      }
      const advisory = r.category === 'vendor_fix' ? RHSA.exec(r.url ?? '')?.[1] : undefined;
      if (advisory !== undefined) advisories.add(advisory);
    }
    const severityOf = new Map<string, Severity>();
    let vulnSeverity: Severity | null = null;
    for (const t of threats ?? []) {
      if (t.category !== 'impact') continue;
      const severity = impactSeverity(t.details);
      if (severity === null) continue;
      vulnSeverity ??= severity;
      for (const id of t.product_ids ?? []) severityOf.set(id, severity);
    }
    const description = shortDescription(
      vuln.data.title ?? notes?.find((n) => n.category === 'summary' || n.category === 'description')?.text,
    );
    // product_status when present; a trimmed document keeps its verdicts only in remediations
    const verdicts = new Map<string, AdvisoryStatus>();
    const list = (key: string): readonly string[] => status?.[key] ?? [];
    for (const id of list('fixed')) verdicts.set(id, 'fixed');
    for (const id of list('known_affected')) verdicts.set(id, wontFix.has(id) ? 'wont-fix' : 'open');
    const notAffected = new Set(list('known_not_affected'));
    for (const [id, verdict] of byRemediation)
      if (!verdicts.has(id) && !notAffected.has(id)) verdicts.set(id, verdict);
    stats.notAffected += notAffected.size;
    // one row per (product CPE, package): a fix beats "no fix", and the highest fixed build of the CPE wins
    // (AppStream-9.2.0.Z.MAIN.EUS and AppStream-9.3.0.Z.MAIN share cpe:/a:redhat:enterprise_linux:9::appstream)
    const rows = new Map<string, AdvisoryRecord>();
    for (const [id, verdict] of verdicts) {
      const entry = joined.get(id);
      if (entry === undefined) continue; // a product-level id ("Red Hat build of Quarkus") or a non-rpm component
      const { cpe, component } = entry;
      if (verdict === 'fixed' && component.evr === undefined) continue;
      const key = rpmPackageKey(component.name, component.stream);
      const dedupe = `${cpe}\u0000${key}`;
      const fixed = verdict === 'fixed' ? (component.evr ?? null) : null;
      const previous = rows.get(dedupe);
      if (previous !== undefined) {
        if (previous.fixed !== null && (fixed === null || compareRpmVersions(fixed, previous.fixed) <= 0))
          continue;
        if (previous.fixed === null && fixed === null && previous.status === 'wont-fix') continue;
      }
      rows.set(dedupe, {
        ecosystem: 'redhat',
        release: cpe,
        package: key,
        vulnerability: cve,
        aliases: [...advisories].sort(),
        status: verdict,
        fixed,
        introduced: '',
        severity: severityOf.get(id) ?? vulnSeverity ?? documentSeverity,
        description,
      });
    }
    for (const row of rows.values()) sink.addAdvisory(row);
    added += rows.size;
  }
  if (added > 0) stats.records++;
  else skip(stats, `${document.tracking.id}: no rpm product with a CPE in its statuses`);
}

/** repository-to-cpe.json: {"data": {"repo": {"cpes": [...]}}} upstream, or a plain {"repo": [cpe, ...]} map. */
const cpeMapSchema = z.union([
  z.object({ data: z.record(z.string(), z.object({ cpes: z.array(z.string()) }).loose()) }),
  z.record(z.string(), z.array(z.string())),
]);

export function looksLikeRepositoryCpes(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const parsed = cpeMapSchema.safeParse(doc);
  if (!parsed.success) return false;
  const values =
    'data' in parsed.data && typeof parsed.data.data === 'object' && !Array.isArray(parsed.data.data)
      ? Object.values(parsed.data.data as Record<string, { cpes: string[] }>).map((v) => v.cpes)
      : Object.values(parsed.data as Record<string, string[]>);
  return values.length > 0 && values.every((cpes) => cpes.every((c) => c.startsWith('cpe:/')));
}

export function importRepositoryCpes(doc: unknown, sink: AdvisorySink, location: string): ImportStats {
  const stats: ImportStats = { records: 0, skipped: 0, notAffected: 0, reasons: [] };
  sink.beginSource('redhat-repository-cpes', 'redhat-repository-cpes', location);
  const parsed = cpeMapSchema.safeParse(doc);
  if (parsed.success) {
    const entries: [string, string[]][] =
      'data' in parsed.data && typeof parsed.data.data === 'object' && !Array.isArray(parsed.data.data)
        ? Object.entries(parsed.data.data as Record<string, { cpes: string[] }>).map(([k, v]) => [k, v.cpes])
        : Object.entries(parsed.data as Record<string, string[]>);
    for (const [repository, cpes] of entries) {
      for (const cpe of cpes) {
        if (!cpe.startsWith('cpe:/')) {
          skip(stats, `${repository}: ${cpe.slice(0, 80)} is not a CPE`);
          continue;
        }
        sink.addRepositoryCpe?.(repository, cpe);
      }
      stats.records++;
    }
  }
  sink.endSource(stats);
  return stats;
}
