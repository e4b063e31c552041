// Image inputs for `bulkhead scan TARGET`: resolves a target string to a source (skopeo-style transport prefixes or
// auto-detection) and reads it into ImageFacts. Transports: docker-archive:PATH, oci:PATH (directory or tar),
// rootfs:DIR (alias dir:DIR), docker-daemon:REF (engine), docker://REF (registry); a bare argument is a path when
// one exists, else an image in the engine, falling back to a registry when the reference names a registry host.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { connectEngine } from '../engine/client.js';
import { describeFileType } from '../shared/contained-file.js';
import { BulkheadError, errnoCode, UsageError } from '../shared/errors.js';
import { READ_CHUNK, readImageArchive, readOciLayoutDir } from './archive.js';
import { ImageNotFoundError, readEngineImage } from './engine.js';
import { parseImageRef } from '../shared/image-ref.js';
import { readRegistryImage, type RegistryAuth } from './registry.js';
import { readRootfs } from './rootfs.js';
import type { ImageFacts } from './types.js';

export type {
  ImageFacts,
  ImageConfigFacts,
  LayerFacts,
  SecretCandidate,
  SpecialFileFact,
  HistoryEntry,
} from './types.js';
export { ImageNotFoundError } from './engine.js';

export type TargetSpec =
  | { readonly kind: 'archive'; readonly path: string; readonly declared: 'docker-archive' | 'oci' | 'auto' }
  | { readonly kind: 'oci-dir'; readonly path: string }
  | { readonly kind: 'rootfs'; readonly path: string }
  | { readonly kind: 'engine'; readonly ref: string }
  | { readonly kind: 'registry'; readonly ref: string }
  | { readonly kind: 'auto-ref'; readonly ref: string };

export interface ReadImageOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --host: the engine address. */
  readonly host?: string | undefined;
  readonly registryAuth?: RegistryAuth | undefined;
  /** Allow plain HTTP to registries other than loopback ones. */
  readonly plainHttp?: boolean | undefined;
  readonly platform?: string | undefined;
  readonly onProgress?: ((message: string) => void) | undefined;
}

async function pathKind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'dir';
    if (info.isFile()) return 'file';
    // A FIFO would block the read and a device would never end: an image archive is a regular file.
    throw new BulkheadError('INPUT_INVALID', `${path} is ${describeFileType(info)}, not an image archive`, {
      subject: path,
      hint: 'pass a `docker save` tar, an OCI layout (dir or tar), a root filesystem directory or an image name',
    });
  } catch (error) {
    if (error instanceof BulkheadError) throw error;
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${path} (${errnoCode(error) ?? 'error'})`, {
      subject: path,
      hint: 'check the path and its permissions',
      cause: error,
    });
  }
}

/** Splits "transport:rest" for the transports bulkhead knows; anything else is a bare target. */
export function parseTargetPrefix(target: string): TargetSpec | undefined {
  const prefixes: [string, (rest: string) => TargetSpec][] = [
    ['docker-archive:', (rest) => ({ kind: 'archive', path: rest, declared: 'docker-archive' })],
    ['oci-archive:', (rest) => ({ kind: 'archive', path: rest, declared: 'oci' })],
    ['oci:', (rest) => ({ kind: 'archive', path: rest, declared: 'oci' })],
    ['rootfs:', (rest) => ({ kind: 'rootfs', path: rest })],
    ['dir:', (rest) => ({ kind: 'rootfs', path: rest })],
    ['docker-daemon:', (rest) => ({ kind: 'engine', ref: rest })],
    ['docker://', (rest) => ({ kind: 'registry', ref: rest })],
  ];
  for (const [prefix, make] of prefixes) {
    if (target.startsWith(prefix)) {
      const rest = target.slice(prefix.length);
      if (rest === '') throw new UsageError(`empty target after ${prefix}`, { hint: `write ${prefix}VALUE` });
      return make(rest);
    }
  }
  return undefined;
}

const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz|tar\.zst|oci)$/i;

/** OCI platform "os/arch[/variant]" (image-spec image-index "platform"): lowercase words, as `docker --platform`. */
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

export function checkPlatform(platform: string | undefined): void {
  if (platform !== undefined && !PLATFORM.test(platform))
    throw new UsageError(`invalid --platform ${JSON.stringify(platform)}`, {
      hint: 'write OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8',
    });
}

export async function resolveTarget(target: string): Promise<TargetSpec> {
  if (target === '')
    throw new UsageError('empty scan target', {
      hint: 'pass an image name, a tar, an OCI layout or a directory',
    });
  const prefixed = parseTargetPrefix(target);
  if (prefixed !== undefined) {
    if (
      prefixed.kind === 'archive' &&
      prefixed.declared === 'oci' &&
      (await pathKind(prefixed.path)) === 'dir'
    )
      return { kind: 'oci-dir', path: prefixed.path };
    return prefixed;
  }
  const kind = await pathKind(target);
  if (kind === 'file') return { kind: 'archive', path: target, declared: 'auto' };
  if (kind === 'dir') {
    return (await pathKind(`${target}/oci-layout`)) === 'file'
      ? { kind: 'oci-dir', path: target }
      : { kind: 'rootfs', path: target };
  }
  // "nope.tar" is a valid image name, but nobody names an image like an archive: say the file is missing rather
  // than try an engine (and report it unreachable).
  if (
    target.startsWith('/') ||
    target.startsWith('./') ||
    target.startsWith('../') ||
    ARCHIVE_NAME.test(target)
  ) {
    throw new BulkheadError('INPUT_UNREADABLE', `${target} does not exist`, {
      subject: target,
      hint: 'check the path (to scan an engine image of that name, write docker-daemon:NAME)',
    });
  }
  return { kind: 'auto-ref', ref: target };
}

export async function readImage(target: string, options: ReadImageOptions): Promise<ImageFacts> {
  checkPlatform(options.platform);
  const spec = await resolveTarget(target);
  const onLayer = (done: number, bytes: number): void => {
    options.onProgress?.(`read ${done} layer${done === 1 ? '' : 's'} (${(bytes / 1048576).toFixed(1)} MiB)`);
  };
  switch (spec.kind) {
    case 'archive': {
      const kind = await pathKind(spec.path);
      if (kind !== 'file') {
        throw new BulkheadError(
          'INPUT_UNREADABLE',
          `${spec.path} ${kind === 'dir' ? 'is a directory' : 'does not exist'}`,
          {
            subject: spec.path,
            hint:
              kind === 'dir'
                ? 'use oci:DIR for an OCI layout or rootfs:DIR for a root filesystem'
                : 'check the path',
          },
        );
      }
      return readImageArchive(createReadStream(spec.path, { highWaterMark: READ_CHUNK }), {
        ref: target,
        source: spec.declared === 'oci' ? 'oci-layout' : 'docker-archive',
        subject: spec.path,
        onLayer,
        platform: options.platform,
      });
    }
    case 'oci-dir':
      return readOciLayoutDir(spec.path, {
        ref: target,
        source: 'oci-layout',
        onLayer,
        platform: options.platform,
      });
    case 'rootfs':
      return readRootfs(spec.path, {
        ref: target,
        onProgress: (n) => options.onProgress?.(`walked ${n} entries`),
      });
    case 'engine':
    case 'auto-ref': {
      const { docker, address } = connectEngine({ host: options.host, env: options.env });
      try {
        return await readEngineImage(docker, spec.ref, { address: address.display, onLayer });
      } catch (error) {
        // Like `docker run`, a name that is not local but names a registry host is fetched from that registry.
        if (spec.kind === 'auto-ref' && error instanceof ImageNotFoundError && isRegistryNamed(spec.ref)) {
          return readRegistryImage(spec.ref, registryOptions(options, onLayer));
        }
        throw error;
      }
    }
    case 'registry':
      return readRegistryImage(spec.ref, registryOptions(options, onLayer));
    default:
      return spec satisfies never;
  }
}

/** Whether a reference names its registry ("registry.example.com/app", not "app" or "team/app"). */
function isRegistryNamed(ref: string): boolean {
  const parsed = parseImageRef(ref);
  return parsed.kind === 'named' && parsed.domainWritten;
}

function registryOptions(options: ReadImageOptions, onLayer: (done: number, bytes: number) => void) {
  return {
    auth: options.registryAuth,
    plainHttp: options.plainHttp === true,
    platform: options.platform,
    onLayer,
  };
}
