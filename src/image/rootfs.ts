// Scans a root filesystem directory — an unpacked image, a chroot, or "/" itself so the host's own packages (kernel,
// runc, containerd, docker) go through the same readers. Like `trivy rootfs`, it stays on the root's filesystem
// (other mounts: /proc, /sys, container overlays, are skipped), never follows symlinks out of the root, and reads
// only the files analysers need.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkheadError, errnoCode } from '../shared/errors.js';
import { analyzeLayers } from './analyze.js';
import { capturePolicy, isUnsupportedRpmDb, newCaptureBudget, reserveCapture } from './capture.js';
import { addWarning, type LayerScan } from './layer.js';
import type { ImageFacts } from './types.js';

/**
 * Directories not walked when the root is "/": kernel and runtime views, scratch space, and the engines' own image
 * stores (images are scanned as images, not as thousands of loose layer directories).
 */
const SKIP_ON_LIVE_ROOT = new Set([
  'proc',
  'sys',
  'dev',
  'run',
  'tmp',
  'var/tmp',
  'var/lib/docker',
  'var/lib/containerd',
]);

/** Reads at most `max` bytes from the start of a regular file (never a FIFO or device swapped in after the walk). */
function readHead(path: string, size: number, max: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile())
      throw Object.assign(new Error(`${path}: not a regular file`), { code: 'EFTYPE' });
    const buffer = Buffer.alloc(Math.min(size, max));
    let offset = 0;
    while (offset < buffer.length) {
      const n = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

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
    unreadDbs: new Map(),
    warnings: { messages: [], count: 0 },
  };
  const budget = newCaptureBudget();
  let entries = 0;
  // Synchronous calls on purpose: a host root has hundreds of thousands of entries, and one lstat per file costs
  // microseconds synchronously but tens of microseconds through the promise API.
  const walk = (dir: string, rel: string): void => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      addWarning(
        layer.warnings,
        `${rel === '' ? '/' : rel}: cannot list (${errnoCode(error) ?? 'error'}), skipped`,
      );
      return;
    }
    for (const dirent of dirents) {
      const path = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const full = join(dir, dirent.name);
      entries += 1;
      if (entries % 20000 === 0) options.onProgress?.(entries);
      if (dirent.isDirectory()) {
        if (root === '/' && SKIP_ON_LIVE_ROOT.has(path)) continue;
        try {
          if (lstatSync(full).dev !== rootInfo.dev) continue;
        } catch {
          continue;
        }
        walk(full, path);
        continue;
      }
      if (dirent.isSymbolicLink()) {
        try {
          layer.symlinks.set(path, readlinkSync(full));
        } catch {
          // vanished while walking
        }
        continue;
      }
      if (!dirent.isFile()) continue;
      let info: Stats;
      try {
        info = lstatSync(full);
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
      if (info.size > policy.maxBytes && policy.kind !== 'secret-candidate') {
        const reason = `${info.size} bytes exceeds the ${policy.maxBytes}-byte limit for ${policy.kind} files`;
        if (policy.kind === 'package-db') layer.unreadDbs.set(path, reason);
        else addWarning(layer.warnings, `${path}: ${reason}, skipped`);
        continue;
      }
      const refused = reserveCapture(budget, policy.kind, Math.min(info.size, policy.maxBytes));
      if (refused !== undefined) {
        if (policy.kind === 'package-db') layer.unreadDbs.set(path, refused);
        else addWarning(layer.warnings, `${path}: ${refused}, skipped`);
        continue;
      }
      try {
        const content = readHead(full, info.size, policy.maxBytes);
        layer.files.set(path, {
          path,
          kind: policy.kind,
          mode: info.mode & 0o7777,
          uid: info.uid,
          gid: info.gid,
          content,
        });
      } catch (error) {
        const reason = `cannot read (${errnoCode(error) ?? 'error'})`;
        if (policy.kind === 'package-db') layer.unreadDbs.set(path, reason);
        else addWarning(layer.warnings, `${path}: ${reason}, skipped`);
      }
    }
  };
  walk(root, '');
  const facts = analyzeLayers({
    source: 'rootfs',
    ref: options.ref,
    history: [],
    layerRefs: undefined,
    layers: [{ ...layer, entries }],
    diagnostics: [],
  });
  // A directory with neither a package database nor an os-release is not a root filesystem bulkhead can judge: say
  // that nothing was scanned rather than report a clean result.
  const hasPackageDb = [...layer.files.keys(), ...layer.unreadDbs.keys(), ...layer.unsupportedDbs].some(
    (path) => capturePolicy(path)?.kind === 'package-db' || isUnsupportedRpmDb(path),
  );
  if (!hasPackageDb && facts.os.family === 'unknown') {
    throw new BulkheadError(
      'INPUT_INVALID',
      `nothing was scanned: ${root} is not an OCI layout (no oci-layout file) and has no package database or os-release of a root filesystem`,
      {
        subject: root,
        hint: 'pass the root of an unpacked image or host (with /var/lib/dpkg/status, /lib/apk/db/installed or an rpm database), an OCI layout directory, or an image archive',
      },
    );
  }
  return facts;
}
