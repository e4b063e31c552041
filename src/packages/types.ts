// Types shared by package readers (src/packages) and detectors (src/detect): what an image or root filesystem has
// installed, and which OS it is. Readers never compare versions; detectors never read files (DESIGN.md).
import type { LayerRef } from '../shared/finding.js';

/** OS family, as detected from os-release and friends; decides the version scheme and advisory source. */
export type OsFamily =
  | 'debian'
  | 'ubuntu'
  | 'alpine'
  | 'wolfi'
  | 'redhat'
  | 'centos'
  | 'rocky'
  | 'alma'
  | 'fedora'
  | 'amazon'
  | 'opensuse'
  | 'distroless'
  | 'unknown';

export interface OsInfo {
  readonly family: OsFamily;
  /** os-release ID ("debian", "alpine"). */
  readonly id: string;
  /** os-release VERSION_ID ("12", "3.19.1"); absent for testing/unstable or unknown. */
  readonly versionId?: string;
  /** VERSION_CODENAME ("bookworm") when present. */
  readonly codename?: string;
  readonly prettyName?: string;
  /** The file that told us ("etc/os-release", "etc/alpine-release"). */
  readonly evidence: string;
  /** Red Hat content sets (repository ids) from the image's content manifests, when it has any. */
  readonly contentSets?: readonly string[];
}

export type PackageFormat = 'dpkg' | 'apk' | 'rpm';

export interface InstalledPackage {
  readonly format: PackageFormat;
  /** Binary package name. */
  readonly name: string;
  /** Full installed version as the package manager records it (dpkg: "1:2.3-4+deb12u1"; rpm: "[epoch:]version-release"). */
  readonly version: string;
  readonly arch?: string;
  /** Source package: dpkg `Source:` (or the binary name), apk origin (`o:`), rpm source rpm name. */
  readonly sourceName: string;
  /** Source version: dpkg `Source: name (version)` for binNMUs, else the binary version. */
  readonly sourceVersion: string;
  /** rpm: the SOURCERPM header as written ("util-linux-2.32.1-42.el8_8.src.rpm"). */
  readonly sourceRpm?: string;
  /** rpm: MODULARITYLABEL ("nodejs:22:9080020250101:abcd1234") when the package belongs to a module stream. */
  readonly modularityLabel?: string;
  /** The layer that last wrote the database entry for this package (absent for a plain root filesystem). */
  readonly layer?: LayerRef;
  /** The database file it was read from ("var/lib/dpkg/status", "var/lib/dpkg/status.d/foo"). */
  readonly database: string;
}
