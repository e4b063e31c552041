// Records importers hand to the database writer, and what the detector reads back: one advisory per
// (ecosystem, release, source package, vulnerability, introduced version).
import type { Severity } from '../shared/severity.js';
import type { AdvisoryStatus } from './schema.js';

/** Advisory ecosystems the database knows; each maps to one version scheme. */
export type Ecosystem =
  | 'debian'
  | 'ubuntu'
  | 'alpine'
  | 'wolfi'
  | 'chainguard'
  | 'almalinux'
  | 'rocky'
  | 'redhat'
  /** Fixed versions the DSA/DLA lists state for the kernel sources, for the running-kernel check only. */
  | 'debian-advisory';
export const ECOSYSTEMS: readonly Ecosystem[] = [
  'debian',
  'ubuntu',
  'alpine',
  'wolfi',
  'chainguard',
  'almalinux',
  'rocky',
  'redhat',
  'debian-advisory',
];

export interface AdvisoryRecord {
  readonly ecosystem: Ecosystem;
  /**
   * Debian codename ("bookworm"), Alpine branch ("3.19", "edge"), Ubuntu version ("22.04"), "rolling", AlmaLinux or
   * Rocky major version ("9"), Red Hat product CPE ("cpe:/a:redhat:enterprise_linux:9::appstream").
   */
  readonly release: string;
  /**
   * Source package (Debian, Ubuntu), origin (Alpine, Wolfi), binary rpm name (AlmaLinux, Rocky, Red Hat; Red Hat's
   * unfixed entries name the source component). A modular rpm is keyed "module:stream/name" (see rpmPackageKey).
   */
  readonly package: string;
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  readonly status: AdvisoryStatus;
  /** First fixed version for status "fixed", else null. */
  readonly fixed: string | null;
  /** First affected version ("" = all versions before `fixed`). */
  readonly introduced: string;
  /** Severity the feed gives, null when it gives none. */
  readonly severity: Severity | null;
  readonly description?: string | undefined;
}

export interface SupportEndedRecord {
  readonly ecosystem: Ecosystem;
  readonly release: string;
  /** Source package name, or a pattern ending in ".*" (debian-security-support syntax). */
  readonly package: string;
  readonly lastVersion: string;
  readonly ended: string;
  readonly note: string;
}

/** What one importer run produced and skipped; skips carry a short reason each (first few kept). */
export interface ImportStats {
  records: number;
  skipped: number;
  notAffected: number;
  readonly reasons: string[];
}

export function newStats(): ImportStats {
  return { records: 0, skipped: 0, notAffected: 0, reasons: [] };
}

const MAX_REASONS = 20;

export function skip(stats: ImportStats, reason: string): void {
  stats.skipped++;
  if (stats.reasons.length < MAX_REASONS) stats.reasons.push(reason);
}

/** The sink an importer writes into; implemented by the database writer (and by tests). */
export interface AdvisorySink {
  /** Starts (or restarts: previous rows of the same source are dropped) a named source. */
  beginSource(name: string, format: string, location: string): void;
  addAdvisory(record: AdvisoryRecord): void;
  addAliases(vulnerability: string, aliases: readonly string[]): void;
  addSupportEnded(record: SupportEndedRecord): void;
  /** Red Hat content set (repository id) -> product CPE; sinks that keep no such map may leave it out. */
  addRepositoryCpe?(repository: string, cpe: string): void;
  endSource(stats: ImportStats): void;
}

/** The key of an rpm advisory: the binary name, prefixed "module:stream/" when it is built for a module stream. */
export function rpmPackageKey(name: string, stream: { module: string; stream: string } | undefined): string {
  return stream === undefined ? name : `${stream.module}:${stream.stream}/${name}`;
}
