// Streams the entries of a tar archive (POSIX ustar/pax and GNU, via tar-stream) without touching the disk, and
// cleans entry names the way container runtimes do before applying a layer (moby pkg/archive, OCI image-spec
// "Filesystem Layers"): leading "/" and "./" dropped, "." and ".." resolved, names that climb out of the root refused.
import { posix } from 'node:path';
import tarStream from 'tar-stream';
import { z } from 'zod';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntryHeader {
  /** Cleaned, relative name ("etc/os-release"); never starts with "/" or "..". */
  readonly path: string;
  /** The name exactly as stored, for messages. */
  readonly rawName: string;
  readonly type: TarEntryType;
  /** tar-stream's type string, to name unsupported types in warnings ("gnu-sparse" shows as null there). */
  readonly rawType: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Symlink target as stored, or the cleaned path a hard link points to. */
  readonly linkname: string | undefined;
}

/** Why an entry name is unusable; the walker skips such entries and reports them. */
export type NameProblem = 'empty' | 'escapes-root';

/** Cleans a tar entry name to a root-relative path, or says why it cannot be used. */
export function cleanEntryName(raw: string): { path: string } | { problem: NameProblem } {
  if (raw.includes('\0')) return { problem: 'empty' };
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // moby's archive applier refuses "breakout" names; a name that resolves inside the root is kept.
      if (parts.length === 0) return { problem: 'escapes-root' };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  if (parts.length === 0) return { problem: 'empty' };
  return { path: parts.join('/') };
}

function entryType(raw: string | null | undefined): TarEntryType {
  switch (raw ?? '') {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

interface RawHeader {
  readonly name: string;
  readonly type?: string | null | undefined;
  readonly mode?: number | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly size?: number | undefined;
  readonly linkname?: string | null | undefined;
}

const paxSchema = z.record(z.string(), z.string());

/** tar-stream exposes PAX records as header.pax at run time but not in its typings. */
function paxOf(header: object): Record<string, string> | undefined {
  if (!('pax' in header)) return undefined;
  const parsed = paxSchema.safeParse(header.pax);
  return parsed.success ? parsed.data : undefined;
}

export interface TarWalkEvents {
  /** Called for each entry; the body must be consumed or left alone (the walker drains what is left). */
  readonly entry: (header: TarEntryHeader, body: AsyncIterable<Buffer>) => Promise<void>;
  /** Called for an entry whose name cannot be used; its body is drained. */
  readonly badName?: (rawName: string, problem: NameProblem) => void;
}

/** Thrown when the bytes are not a readable tar (truncated, corrupt header); callers add the input's name. */
export class TarFormatError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'TarFormatError';
  }
}

function describeTarError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end/i.test(message)) return 'truncated tar archive (unexpected end of data)';
  if (/invalid tar header/i.test(message)) return 'not a tar archive or corrupt tar header';
  return message;
}

/** Walks every entry of the tar stream in order. Rejects with TarFormatError on a truncated or corrupt archive. */
export async function walkTar(source: AsyncIterable<Buffer>, events: TarWalkEvents): Promise<void> {
  const extract = tarStream.extract();
  let sourceError: unknown;
  let visitorError: { error: unknown } | undefined;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (extract.destroyed) return;
        if (!extract.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
          });
        }
      }
      extract.end(Buffer.alloc(0));
    } catch (error) {
      sourceError = error;
      extract.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  try {
    for await (const entry of extract) {
      // Widened on purpose: tar-stream's typings promise fields that hostile archives can leave undefined.
      const header: RawHeader = entry.header;
      const body = bodyOf(entry as AsyncIterable<Buffer>);
      // GNU tar's PAX sparse formats (GNU.sparse.* keys) store a map plus data under a made-up name; the real name
      // is GNU.sparse.name. The stored bytes are not the file, so report it as an unsupported entry.
      const pax = paxOf(entry.header);
      const sparseName = pax?.['GNU.sparse.name'];
      const sparse = pax !== undefined && Object.keys(pax).some((k) => k.startsWith('GNU.sparse.'));
      const rawName = sparseName ?? header.name;
      const cleaned = cleanEntryName(rawName);
      const type = sparse ? 'other' : entryType(header.type);
      if ('problem' in cleaned) {
        // A lone "./" or "/" directory entry is normal at the top of a layer.
        if (!(cleaned.problem === 'empty' && type === 'directory'))
          events.badName?.(rawName, cleaned.problem);
      } else {
        let linkname: string | undefined;
        if (header.linkname !== null && header.linkname !== undefined) {
          if (type === 'hardlink') {
            const target = cleanEntryName(header.linkname);
            linkname = 'path' in target ? target.path : undefined;
          } else {
            linkname = header.linkname;
          }
        }
        try {
          await events.entry(
            {
              path: cleaned.path,
              rawName,
              type,
              rawType: sparse ? 'gnu-sparse' : (header.type ?? 'unknown'),
              mode: header.mode ?? 0,
              uid: header.uid ?? 0,
              gid: header.gid ?? 0,
              size: header.size ?? 0,
              linkname,
            },
            body,
          );
        } catch (error) {
          visitorError = { error };
          throw error;
        }
      }
      // Drain what the visitor left so the archive can advance.
      for await (const _chunk of body) {
        /* discard */
      }
    }
  } catch (error) {
    if (sourceError !== undefined) throw asError(sourceError);
    // Errors from the visitor (a nested layer, a size limit) are not format problems of this archive.
    if (visitorError !== undefined && visitorError.error === error) throw error;
    throw new TarFormatError(describeTarError(error), error);
  } finally {
    if (!extract.destroyed) extract.destroy(null);
    await feed;
  }
  if (sourceError !== undefined) throw asError(sourceError);
}

/** An entry's bytes; a failure while reading them is this archive's fault (truncation), whoever reads them. */
async function* bodyOf(entry: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of entry) yield chunk;
  } catch (error) {
    throw error instanceof TarFormatError ? error : new TarFormatError(describeTarError(error), error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Resolves a symlink target (absolute or relative to the link's directory) to a root-relative path. */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  const joined = target.startsWith('/') ? target : posix.join(posix.dirname(linkPath), target);
  // Inside a root, ".." at the top stays at the top (like chroot), so clamp rather than refuse.
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}
