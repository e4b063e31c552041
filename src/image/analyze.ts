// Turns analysed layers (in order) plus the image configuration into ImageFacts: applies the layers, detects the
// OS, reads the package databases and remembers, for each package, the layer that introduced the version installed
// (the earliest layer from which that name and version stay present without interruption, as Trivy's applier does).
import { posix } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { LayerRef } from '../shared/finding.js';
import {
  detectOs,
  isContentSetPath,
  isPackageDatabasePath,
  readContentSets,
  readPackageDatabases,
} from '../packages/index.js';
import type { InstalledPackage } from '../packages/types.js';
import { applyLayer, emptyView, lookupFile, type MergedView } from './apply.js';
import type { LayerScan } from './layer.js';
import type {
  HistoryEntry,
  ImageConfigFacts,
  ImageFacts,
  ImageSourceKind,
  LayerFacts,
  SecretCandidate,
  SpecialFileFact,
} from './types.js';

export interface AnalyzeInput {
  readonly source: ImageSourceKind;
  readonly ref: string;
  readonly id?: string | undefined;
  readonly digest?: string | undefined;
  readonly architecture?: string | undefined;
  readonly config?: ImageConfigFacts | undefined;
  readonly history: readonly HistoryEntry[];
  /** One per layer, in application order; absent for a root filesystem (its one "layer" has no identity). */
  readonly layerRefs: readonly LayerRef[] | undefined;
  readonly layers: readonly LayerScan[];
  readonly diagnostics: readonly Diagnostic[];
}

function packageKey(p: InstalledPackage): string {
  return `${p.format}\u0000${p.name}\u0000${p.arch ?? ''}`;
}

function databaseFiles(view: MergedView): { path: string; content: Buffer }[] {
  const out: { path: string; content: Buffer }[] = [];
  for (const [path, placed] of view.files)
    if (isPackageDatabasePath(path)) out.push({ path, content: placed.value.content });
  return out;
}

export function analyzeLayers(input: AnalyzeInput): ImageFacts {
  const diagnostics: Diagnostic[] = [...input.diagnostics];
  const view = emptyView();
  // For each layer index where a package database changed: the installed versions after it.
  const snapshots: { layerIndex: number; versions: Map<string, string> }[] = [];
  const secretCandidates: SecretCandidate[] = [];
  const refOf = (index: number): LayerRef | undefined => input.layerRefs?.[index];
  let last: ReturnType<typeof readPackageDatabases> | undefined;
  input.layers.forEach((layer, index) => {
    const changed = applyLayer(view, layer, index);
    for (const message of layer.warnings.messages)
      diagnostics.push({ level: 'warning', subject: layerSubject(input, index), message });
    if (layer.warnings.count > layer.warnings.messages.length) {
      diagnostics.push({
        level: 'warning',
        subject: layerSubject(input, index),
        message: `${layer.warnings.count - layer.warnings.messages.length} more warnings not shown`,
      });
    }
    if ([...changed].some(isPackageDatabasePath)) {
      last = readPackageDatabases(databaseFiles(view));
      snapshots.push({
        layerIndex: index,
        versions: new Map(last.packages.map((p) => [packageKey(p), p.version])),
      });
    }
  });
  // Secret candidates are judged per layer: a key deleted by a later layer is still in the earlier layer's blob.
  input.layers.forEach((layer, index) => {
    for (const [path, file] of layer.files) {
      if (file.kind !== 'secret-candidate') continue;
      const current = view.files.get(path);
      const layerRef = refOf(index);
      secretCandidates.push({
        path,
        content: file.content.toString('utf8'),
        ...(layerRef === undefined ? {} : { layer: layerRef }),
        removedLater: current?.layerIndex !== index,
      });
    }
  });
  const packages: InstalledPackage[] = [];
  const final = last ?? { packages: [], warnings: [] };
  for (const warning of final.warnings)
    diagnostics.push({ level: 'warning', subject: input.ref, message: warning });
  for (const pkg of final.packages) {
    let introduced = snapshots.at(-1)?.layerIndex ?? 0;
    for (let i = snapshots.length - 1; i >= 0; i -= 1) {
      const snapshot = snapshots[i];
      if (snapshot?.versions.get(packageKey(pkg)) !== pkg.version) break;
      introduced = snapshot.layerIndex;
    }
    const layerRef = refOf(introduced);
    packages.push(layerRef === undefined ? pkg : { ...pkg, layer: layerRef });
  }
  const read = (path: string): Buffer | undefined => {
    const found = lookupFile(view, path);
    if (found.kind === 'loop') {
      diagnostics.push({ level: 'warning', subject: input.ref, message: `${path}: symlink loop, ignored` });
      return undefined;
    }
    return found.kind === 'found' ? found.file.value.content : undefined;
  };
  const hasDpkgStatusD = [...view.files.keys()].some((p) => posix.dirname(p) === 'var/lib/dpkg/status.d');
  const detected = detectOs({ read, hasDpkgStatusD });
  const manifests = readContentSets(
    [...view.files]
      .filter(([path]) => isContentSetPath(path))
      .map(([path, placed]) => ({ path, content: placed.value.content })),
  );
  for (const message of manifests.warnings)
    diagnostics.push({ level: 'warning', subject: input.ref, message });
  const os =
    manifests.contentSets.length === 0 ? detected : { ...detected, contentSets: manifests.contentSets };
  for (const [path] of view.unsupportedDbs) {
    if (
      !view.files.has('var/lib/rpm/rpmdb.sqlite') &&
      !view.files.has('usr/lib/sysimage/rpm/rpmdb.sqlite') &&
      !view.files.has('var/lib/rpm/Packages')
    ) {
      diagnostics.push({
        level: 'warning',
        subject: input.ref,
        message: `${path}: rpm ndb databases are not supported (sqlite and BerkeleyDB are); its packages are not scanned`,
      });
    }
  }
  const specialFiles: SpecialFileFact[] = [...view.specialFiles.values()]
    .map(({ value, layerIndex }) => {
      const layerRef = refOf(layerIndex);
      return {
        path: value.path,
        mode: value.mode,
        uid: value.uid,
        gid: value.gid,
        ...(layerRef === undefined ? {} : { layer: layerRef }),
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const layers: LayerFacts[] = input.layers.flatMap((layer, index) => {
    const layerRef = refOf(index);
    return layerRef === undefined
      ? []
      : [
          {
            ...layerRef,
            compression: layer.compression,
            uncompressedBytes: layer.uncompressedBytes,
            entries: layer.entries,
          },
        ];
  });
  const passwd = read('etc/passwd')?.toString('utf8');
  const incomplete = [...view.unreadDbs].map(
    ([path, placed]) =>
      `package database ${path} was not read (${placed.value}); its packages were not scanned`,
  );
  for (const message of incomplete) diagnostics.push({ level: 'error', subject: input.ref, message });
  return {
    source: input.source,
    ref: input.ref,
    ...(input.id === undefined ? {} : { id: input.id }),
    ...(input.digest === undefined ? {} : { digest: input.digest }),
    ...(input.architecture === undefined ? {} : { architecture: input.architecture }),
    os,
    ...(input.config === undefined ? {} : { config: input.config }),
    history: input.history,
    layers,
    packages,
    specialFiles,
    secretCandidates,
    ...(passwd === undefined ? {} : { passwd }),
    ...(incomplete.length === 0 ? {} : { incomplete }),
    diagnostics,
  };
}

function layerSubject(input: AnalyzeInput, index: number): string {
  const ref = input.layerRefs?.[index];
  return ref === undefined ? input.ref : `${input.ref} layer ${index} (${ref.digest.slice(0, 19)})`;
}
