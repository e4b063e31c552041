// Applies analysed layers in order to a merged view of the files analysers need, with the semantics of the OCI
// image-spec "Applying Changesets": whiteouts and opaque directories hide lower layers' entries, and an upper layer's
// entry at a path (or at one of its parents) replaces whatever lower layers had there.
import { resolveLinkTarget } from './tar.js';
import type { CapturedFile, LayerScan, SpecialFile } from './layer.js';

export interface Placed<T> {
  readonly value: T;
  /** Index of the layer that wrote it (0 = base). */
  readonly layerIndex: number;
}

export interface MergedView {
  readonly files: Map<string, Placed<CapturedFile>>;
  readonly symlinks: Map<string, Placed<string>>;
  readonly specialFiles: Map<string, Placed<SpecialFile>>;
  readonly unsupportedDbs: Map<string, Placed<string>>;
  /** Package databases that are present but were not read: path -> why. */
  readonly unreadDbs: Map<string, Placed<string>>;
}

export function emptyView(): MergedView {
  return {
    files: new Map(),
    symlinks: new Map(),
    specialFiles: new Map(),
    unsupportedDbs: new Map(),
    unreadDbs: new Map(),
  };
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** True when `path` or one of its parent directories is in `paths`. */
function shadowedBy(path: string, paths: ReadonlySet<string>): boolean {
  let at = path;
  for (;;) {
    if (paths.has(at)) return true;
    const slash = at.lastIndexOf('/');
    if (slash < 0) return false;
    at = at.slice(0, slash);
  }
}

function prune<T>(map: Map<string, Placed<T>>, layer: LayerScan): string[] {
  const removed: string[] = [];
  for (const path of map.keys()) {
    if (
      layer.whiteouts.some((w) => path === w || isUnder(path, w)) ||
      layer.opaqueDirs.some((dir) => isUnder(path, dir)) ||
      shadowedBy(path, layer.paths)
    ) {
      map.delete(path);
      removed.push(path);
    }
  }
  return removed;
}

/** Applies one layer on top of the view in place; returns the captured paths it added, changed or removed. */
export function applyLayer(view: MergedView, layer: LayerScan, layerIndex: number): Set<string> {
  const changed = new Set<string>(prune(view.files, layer));
  prune(view.symlinks, layer);
  prune(view.specialFiles, layer);
  prune(view.unsupportedDbs, layer);
  prune(view.unreadDbs, layer);
  for (const [path, file] of layer.files) {
    view.files.set(path, { value: file, layerIndex });
    view.unreadDbs.delete(path);
    changed.add(path);
  }
  for (const [path, target] of layer.symlinks) view.symlinks.set(path, { value: target, layerIndex });
  for (const file of layer.specialFiles) view.specialFiles.set(file.path, { value: file, layerIndex });
  for (const path of layer.unsupportedDbs) view.unsupportedDbs.set(path, { value: path, layerIndex });
  for (const [path, reason] of layer.unreadDbs) {
    view.files.delete(path);
    view.unreadDbs.set(path, { value: reason, layerIndex });
    changed.add(path);
  }
  return changed;
}

const MAX_SYMLINK_HOPS = 40; // Linux's MAXSYMLINKS

export type Lookup =
  | { readonly kind: 'found'; readonly path: string; readonly file: Placed<CapturedFile> }
  | { readonly kind: 'missing' }
  | { readonly kind: 'loop'; readonly path: string };

/** Finds a captured file by path, following symlinks in the view (for /etc/os-release -> ../usr/lib/os-release). */
export function lookupFile(view: MergedView, path: string): Lookup {
  let current = path;
  for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops += 1) {
    const file = view.files.get(current);
    if (file !== undefined) return { kind: 'found', path: current, file };
    // Find the longest prefix that is a symlink and substitute its target.
    const parts = current.split('/');
    let replaced: string | undefined;
    for (let i = parts.length; i > 0; i -= 1) {
      const prefix = parts.slice(0, i).join('/');
      const link = view.symlinks.get(prefix);
      if (link === undefined) continue;
      const target = resolveLinkTarget(prefix, link.value);
      if (target === undefined) return { kind: 'missing' };
      replaced = [target, ...parts.slice(i)].join('/');
      break;
    }
    if (replaced === undefined) return { kind: 'missing' };
    current = replaced;
  }
  return { kind: 'loop', path };
}
