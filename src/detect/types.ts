// The detector's input, result and distro family types, apart from index.ts so rpm.ts can use them without an
// import circle.
import type { InstalledPackage, OsInfo } from '../packages/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Finding } from '../shared/finding.js';
import type { VersionScheme } from '../versioning/index.js';
import type { Ecosystem } from '../vulndb/types.js';

export interface DetectInput {
  readonly image: string;
  readonly os: OsInfo;
  readonly packages: readonly InstalledPackage[];
}

export interface DetectResult {
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
  /** Set when the database cannot judge this OS; the scan must say so rather than report a clean image. */
  readonly unsupported?: string;
}

export interface Family {
  readonly ecosystem: Ecosystem;
  readonly release: string;
  readonly scheme: VersionScheme;
  readonly label: string;
}
