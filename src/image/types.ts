// ImageFacts: everything a scan knows about one image (or root filesystem) once its layers have been read — plain,
// serialisable data that package detection and image-configuration rules consume (DESIGN.md "Facts first").
import type { Diagnostic } from '../shared/diagnostic.js';
import type { LayerRef } from '../shared/finding.js';
import type { Compression } from './decompress.js';
import type { InstalledPackage, OsInfo } from '../packages/types.js';

export type ImageSourceKind = 'docker-archive' | 'oci-layout' | 'engine' | 'registry' | 'rootfs';

export interface ImageConfigFacts {
  /** Config.User as written ("", "root", "1000:1000", "app"). */
  readonly user: string;
  readonly env: readonly string[];
  readonly cmd: readonly string[];
  readonly entrypoint: readonly string[];
  readonly workingDir: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly string[];
}

export interface HistoryEntry {
  readonly created?: string;
  readonly createdBy?: string;
  readonly comment?: string;
  readonly emptyLayer: boolean;
}

export interface LayerFacts extends LayerRef {
  readonly compression: Compression;
  readonly uncompressedBytes: number;
  readonly entries: number;
}

export interface SpecialFileFact {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly layer?: LayerRef;
}

/** A small file whose name suggests a secret, as found in one layer (even if a later layer deletes it). */
export interface SecretCandidate {
  readonly path: string;
  /** Content as text (at most the capture limit). */
  readonly content: string;
  readonly layer?: LayerRef;
  /** True when a later layer deletes or replaces it: still recoverable from the layer blob. */
  readonly removedLater: boolean;
}

export interface ImageFacts {
  readonly source: ImageSourceKind;
  /** What the user asked for: a path, an image name, a registry reference. */
  readonly ref: string;
  /** Image id: the config digest ("sha256:..."), absent for a root filesystem. */
  readonly id?: string;
  /** Manifest digest when known (registry, OCI layout). */
  readonly digest?: string;
  readonly architecture?: string;
  readonly os: OsInfo;
  /** Absent for a root filesystem, which has no image configuration. */
  readonly config?: ImageConfigFacts;
  readonly history: readonly HistoryEntry[];
  readonly layers: readonly LayerFacts[];
  readonly packages: readonly InstalledPackage[];
  readonly specialFiles: readonly SpecialFileFact[];
  readonly secretCandidates: readonly SecretCandidate[];
  /** /etc/passwd of the final filesystem, for resolving Config.User names. */
  readonly passwd?: string;
  /**
   * Why the result is incomplete (a package database present in the final filesystem but not read): a scan with
   * such reasons must not pass as clean (exit 2).
   */
  readonly incomplete?: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}
