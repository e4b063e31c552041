// Analyses one image layer in a single streaming pass (OCI image-spec "Image Layer Filesystem Changeset"): hashes the
// uncompressed tar (its diff_id), keeps only the files analysers need, and records whiteouts (".wh.NAME"), opaque
// directories (".wh..wh..opq"), symlinks, setuid/setgid files and every non-directory path so upper layers can
// shadow lower ones. Nothing is extracted to disk.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  capturePolicy,
  isUnsupportedRpmDb,
  newCaptureBudget,
  reserveCapture,
  type CaptureBudget,
  type CaptureKind,
} from './capture.js';
import { decompress, type Compression } from './decompress.js';
import { walkTar, type TarEntryHeader } from './tar.js';

export interface CapturedFile {
  readonly path: string;
  readonly kind: CaptureKind;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly content: Buffer;
}

export interface SpecialFile {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
}

/** A bounded list of warnings: the first few messages and a total count. */
export interface WarningLog {
  readonly messages: string[];
  count: number;
}

const MAX_WARNING_MESSAGES = 20;

export function addWarning(log: WarningLog, message: string): void {
  log.count += 1;
  if (log.messages.length < MAX_WARNING_MESSAGES) log.messages.push(message);
}

export interface LayerScan {
  /** sha256 of the uncompressed tar, "sha256:<hex>": the layer's diff_id. */
  readonly diffId: string;
  readonly compression: Compression;
  readonly uncompressedBytes: number;
  readonly entries: number;
  readonly files: Map<string, CapturedFile>;
  readonly symlinks: Map<string, string>;
  readonly specialFiles: SpecialFile[];
  /** Root-relative paths whose ".wh." marker this layer carries. */
  readonly whiteouts: string[];
  readonly opaqueDirs: string[];
  /** Every non-directory path this layer writes (regular files, links, devices): they shadow lower layers. */
  readonly paths: Set<string>;
  /** Paths of package databases bulkhead cannot read (rpm BerkeleyDB/ndb). */
  readonly unsupportedDbs: string[];
  /** Package databases present but not read (too large, over the scan's budget), with the reason: the scan is incomplete. */
  readonly unreadDbs: Map<string, string>;
  readonly warnings: WarningLog;
}

// OCI image-spec "Whiteouts": a ".wh." prefix hides NAME in lower layers; ".wh..wh..opq" hides the whole
// directory's lower contents. Other ".wh..wh." names are aufs bookkeeping (".wh..wh.plnk") and mean nothing here.
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

async function readCapped(body: AsyncIterable<Buffer>, size: number): Promise<Buffer> {
  const content = Buffer.allocUnsafe(size);
  let offset = 0;
  for await (const chunk of body) {
    const room = size - offset;
    if (room <= 0) break;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    part.copy(content, offset);
    offset += part.length;
  }
  return offset === size ? content : content.subarray(0, offset);
}

/** Streams one layer (gzip, zstd or plain tar) and returns what the analysers need. */
export async function scanLayer(
  source: AsyncIterable<Uint8Array>,
  budget: CaptureBudget = newCaptureBudget(),
): Promise<LayerScan> {
  const { compression, stream } = await decompress(source);
  const hash = createHash('sha256');
  let uncompressedBytes = 0;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      hash.update(chunk);
      uncompressedBytes += chunk.length;
      yield chunk;
    }
  }
  const scan = {
    files: new Map<string, CapturedFile>(),
    symlinks: new Map<string, string>(),
    specialFiles: [] as SpecialFile[],
    whiteouts: [] as string[],
    opaqueDirs: [] as string[],
    paths: new Set<string>(),
    unsupportedDbs: [] as string[],
    unreadDbs: new Map<string, string>(),
    warnings: { messages: [], count: 0 } as WarningLog,
  };
  let entries = 0;
  const visit = async (header: TarEntryHeader, body: AsyncIterable<Buffer>): Promise<void> => {
    entries += 1;
    // moby and containerd read "/etc/passwd" as "etc/passwd"; so do we, but a well-formed layer never has one.
    if (header.rawName.startsWith('/'))
      addWarning(scan.warnings, `${header.rawName}: absolute entry name, read as ${header.path}`);
    const base = posix.basename(header.path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = posix.dirname(header.path);
      if (base === OPAQUE_MARKER) scan.opaqueDirs.push(dir === '.' ? '' : dir);
      else if (!base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
        const hidden = base.slice(WHITEOUT_PREFIX.length);
        if (hidden === '' || hidden === '.' || hidden === '..') {
          addWarning(scan.warnings, `${header.rawName}: whiteout names no file, ignored`);
        } else scan.whiteouts.push(dir === '.' ? hidden : `${dir}/${hidden}`);
      }
      return;
    }
    switch (header.type) {
      case 'directory':
        return;
      case 'symlink':
        scan.paths.add(header.path);
        if (header.linkname !== undefined) scan.symlinks.set(header.path, header.linkname);
        return;
      case 'hardlink': {
        scan.paths.add(header.path);
        const target = header.linkname === undefined ? undefined : scan.files.get(header.linkname);
        const policy = capturePolicy(header.path);
        if (target !== undefined && policy !== undefined) {
          scan.files.set(header.path, { ...target, path: header.path, kind: policy.kind });
        }
        return;
      }
      case 'other':
        scan.paths.add(header.path);
        if (!['character-device', 'block-device', 'fifo'].includes(header.rawType)) {
          addWarning(
            scan.warnings,
            `${header.rawName}: unsupported tar entry type (${header.rawType}, e.g. a GNU sparse file), skipped`,
          );
        }
        return;
      case 'file':
        break;
      default:
        return header.type satisfies never;
    }
    scan.paths.add(header.path);
    if ((header.mode & 0o6000) !== 0) {
      scan.specialFiles.push({
        path: header.path,
        mode: header.mode,
        uid: header.uid,
        gid: header.gid,
        size: header.size,
      });
    }
    if (isUnsupportedRpmDb(header.path)) scan.unsupportedDbs.push(header.path);
    const policy = capturePolicy(header.path);
    if (policy === undefined) {
      scan.files.delete(header.path);
      return;
    }
    scan.unreadDbs.delete(header.path);
    // Keys and credential files are small; a big file with such a name (a CA bundle) is judged by its head.
    if (header.size > policy.maxBytes && policy.kind !== 'secret-candidate') {
      const reason = `${header.size} bytes exceeds the ${policy.maxBytes}-byte limit for ${policy.kind} files`;
      if (policy.kind === 'package-db') scan.unreadDbs.set(header.path, reason);
      else addWarning(scan.warnings, `${header.path}: ${reason}, skipped`);
      scan.files.delete(header.path);
      return;
    }
    const wanted = Math.min(header.size, policy.maxBytes);
    const refused = reserveCapture(budget, policy.kind, wanted);
    if (refused !== undefined) {
      if (policy.kind === 'package-db') scan.unreadDbs.set(header.path, refused);
      else addWarning(scan.warnings, `${header.path}: ${refused}, skipped`);
      scan.files.delete(header.path);
      return;
    }
    const content = await readCapped(body, wanted);
    if (content.length < wanted) {
      addWarning(scan.warnings, `${header.path}: entry shorter than its header says, skipped`);
      return;
    }
    scan.files.set(header.path, {
      path: header.path,
      kind: policy.kind,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      content,
    });
  };
  await walkTar(hashed(), {
    entry: visit,
    badName: (rawName, problem) => {
      addWarning(
        scan.warnings,
        problem === 'escapes-root'
          ? `${rawName}: entry name climbs out of the root (path traversal), skipped`
          : `${JSON.stringify(rawName)}: unusable entry name, skipped`,
      );
    },
  });
  return {
    diffId: `sha256:${hash.digest('hex')}`,
    compression,
    uncompressedBytes,
    entries,
    ...scan,
  };
}
