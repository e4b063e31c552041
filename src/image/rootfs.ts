// Scans a root filesystem directory — an unpacked image, a chroot, or "/" itself so the host's own packages (kernel,
// runc, containerd, docker) go through the same readers. Like `trivy rootfs`, it stays on the root's filesystem
// (other mounts: /proc, /sys, container overlays, are skipped), never follows symlinks out of the root, and reads
// only the files analysers need.
import { lstat, opendir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkheadError, errnoCode } from '../shared/errors.js';
import { analyzeLayers } from './analyze.js';
import { capturePolicy, isUnsupportedRpmDb } from './capture.js';
import { addWarning, type LayerScan } from './layer.js';
import type { ImageFacts } from './types.js';

/** Directories never worth walking on a live system: kernel and runtime views, not installed software. */
const SKIP_ON_LIVE_ROOT = new Set(['proc', 'sys', 'dev', 'run']);

export interface RootfsOptions {
  readonly ref: string;
  /** Called every few thousand entries (progress). */
  readonly onProgress?: ((entries: number) => void) | undefined;
}

export async function readRootfs(root: string, options: RootfsOptions): Promise<ImageFacts> {
  let rootInfo;
  try {
    rootInfo = await lstat(root);
  } catch (error) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${root} (${errnoCode(error) ?? 'error'})`, {
      subject: root,
      hint: 'check the path and its permissions',
      cause: error,
    });
  }
  if (!rootInfo.isDirectory()) {
    throw new BulkheadError('INPUT_INVALID', `${root} is not a directory`, {
      subject: root,
      hint: 'pass a root filesystem directory, a docker-archive or OCI tar, or an image name',
    });
  }
  const layer: LayerScan = {
    diffId: '',
    compression: 'none',
    uncompressedBytes: 0,
    entries: 0,
    files: new Map(),
    symlinks: new Map(),
    specialFiles: [],
    whiteouts: [],
    opaqueDirs: [],
    paths: new Set(),
    unsupportedDbs: [],
    warnings: { messages: [], count: 0 },
  };
  let entries = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      addWarning(
        layer.warnings,
        `${rel === '' ? '/' : rel}: cannot list (${errnoCode(error) ?? 'error'}), skipped`,
      );
      return;
    }
    for await (const dirent of handle) {
      const path = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const full = join(dir, dirent.name);
      entries += 1;
      if (entries % 5000 === 0) options.onProgress?.(entries);
      if (dirent.isDirectory()) {
        if (rel === '' && SKIP_ON_LIVE_ROOT.has(dirent.name) && root === '/') continue;
        try {
          const info = await lstat(full);
          if (info.dev !== rootInfo.dev) continue;
        } catch {
          continue;
        }
        await walk(full, path);
        continue;
      }
      if (dirent.isSymbolicLink()) {
        try {
          layer.symlinks.set(path, await readlink(full));
        } catch {
          // vanished while walking
        }
        continue;
      }
      if (!dirent.isFile()) continue;
      let info;
      try {
        info = await lstat(full);
      } catch {
        continue;
      }
      if ((info.mode & 0o6000) !== 0) {
        layer.specialFiles.push({
          path,
          mode: info.mode & 0o7777,
          uid: info.uid,
          gid: info.gid,
          size: info.size,
        });
      }
      if (isUnsupportedRpmDb(path)) layer.unsupportedDbs.push(path);
      const policy = capturePolicy(path);
      if (policy === undefined) continue;
      if (info.size > policy.maxBytes) {
        addWarning(
          layer.warnings,
          `${path}: ${info.size} bytes exceeds the ${policy.maxBytes}-byte limit, skipped`,
        );
        continue;
      }
      try {
        const content = await readFile(full);
        layer.files.set(path, {
          path,
          kind: policy.kind,
          mode: info.mode & 0o7777,
          uid: info.uid,
          gid: info.gid,
          content,
        });
      } catch (error) {
        addWarning(layer.warnings, `${path}: cannot read (${errnoCode(error) ?? 'error'}), skipped`);
      }
    }
  };
  await walk(root, '');
  return analyzeLayers({
    source: 'rootfs',
    ref: options.ref,
    history: [],
    layerRefs: undefined,
    layers: [{ ...layer, entries }],
    diagnostics: [],
  });
}
