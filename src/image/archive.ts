// Reads image archives in one streaming pass: `docker save` tars (moby image/tarexport: manifest.json, <id>.json
// config, <layer>/layer.tar, possibly symlinked duplicates) and OCI image layouts (OCI image-spec "Image Layout":
// oci-layout, index.json, blobs/<alg>/<hex>), as a tar (plain or gzip) or a directory.
//
// The manifest-first problem: `docker save` writes manifest.json AFTER the layers (entries are in lexical order), so
// the layer order is unknown while layers stream by. Rather than buffering layers or spooling the tar to disk, every
// layer blob is analysed as it passes (the analysis keeps only the few files analysers need) and keyed by its entry
// name; the small JSON documents are kept; the order is applied at the end from the manifest.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, readSync } from 'node:fs';
import { z } from 'zod';
import type { Diagnostic } from '../shared/diagnostic.js';
import { openRegular, resolveContained } from '../shared/contained-file.js';
import { BulkheadError, errnoCode, InputError } from '../shared/errors.js';
import { analyzeLayers } from './analyze.js';
import { configFacts, historyFacts, imageConfigSchema, layerRefs, type ImageConfig } from './config.js';
import { newCaptureBudget } from './capture.js';
import { decompress, DecompressError, peek, sniffCompression } from './decompress.js';
import { scanLayer, type LayerScan } from './layer.js';
import { cleanEntryName, resolveLinkTarget, TarFormatError, walkTar } from './tar.js';
import type { ImageFacts, ImageSourceKind } from './types.js';

/** Read size for image files: 256 KiB reads keep per-chunk overhead small without holding much memory. */
export const READ_CHUNK = 256 * 1024;

const MAX_JSON_BYTES = 8 * 1024 * 1024;
const MAX_JSON_TOTAL = 64 * 1024 * 1024;

export interface ArchiveOptions {
  /** What to call the image in findings (a path, an image name). */
  readonly ref: string;
  readonly source: ImageSourceKind;
  /** Pick this tag from a multi-image archive ("name:tag"). */
  readonly tag?: string | undefined;
  /** Called after each layer blob has been analysed (progress). */
  readonly onLayer?: ((done: number, bytes: number) => void) | undefined;
  /** "os/arch[/variant]" to pick from a multi-platform OCI index (default linux/amd64). */
  readonly platform?: string | undefined;
}

/** Where an archive's blobs come from: entries gathered from a tar stream, or files of a layout directory. */
interface BlobStore {
  json(path: string): Promise<Buffer | undefined>;
  layer(path: string): Promise<LayerScan | undefined>;
  describe: string;
}

const dockerManifestSchema = z
  .array(
    z.object({
      Config: z.string(),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string()),
    }),
  )
  .min(1);

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/),
  size: z.number().optional(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const indexSchema = z.object({ manifests: z.array(descriptorSchema) });
const manifestSchema = z.object({ config: descriptorSchema, layers: z.array(descriptorSchema) });

function parseJson<T>(schema: z.ZodType<T>, bytes: Buffer, subject: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(subject, `${what} is not valid JSON`, {
      cause: error,
      hint: 'the image archive is corrupt; export it again',
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(
      subject,
      `${what} does not match the expected schema: ${z.prettifyError(parsed.error)}`,
      {
        hint: 'the image archive is corrupt or not an image; export it again',
      },
    );
  }
  return parsed.data;
}

function blobPath(digest: string): string {
  const [alg = '', hex = ''] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

const IMAGE_INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Picks the manifest for linux/amd64-like platforms or the ref name asked for, descending into nested indexes. */
async function resolveOciManifest(
  store: BlobStore,
  subject: string,
  tag: string | undefined,
  architecture: string,
): Promise<{ manifestDigest: string; manifest: z.infer<typeof manifestSchema> }> {
  const indexBytes = await store.json('index.json');
  if (indexBytes === undefined)
    throw new InputError(subject, 'no manifest.json or index.json: not a docker-archive or OCI layout', {
      hint: 'pass a `docker save` tar, an OCI layout (skopeo copy ... oci:DIR) or a root filesystem directory',
    });
  let descriptors = parseJson(indexSchema, indexBytes, subject, 'index.json').manifests;
  for (let depth = 0; depth < 4; depth += 1) {
    const named =
      tag === undefined
        ? descriptors
        : descriptors.filter((d) => {
            const name = d.annotations?.['org.opencontainers.image.ref.name'];
            return name === tag || (name !== undefined && tag.endsWith(`:${name}`));
          });
    if (named.length === 0)
      throw new InputError(subject, `no image tagged ${tag ?? ''} in index.json`, {
        hint: 'list the tags with `skopeo inspect oci:DIR`',
      });
    const chosen =
      named.find(
        (d) =>
          d.platform === undefined || (d.platform.os === 'linux' && d.platform.architecture === architecture),
      ) ?? named[0];
    if (chosen === undefined) break;
    const bytes = await store.json(blobPath(chosen.digest));
    if (bytes === undefined)
      throw new InputError(subject, `blob ${chosen.digest} named by the index is missing`, {
        hint: 'the layout is incomplete; copy it again',
      });
    if (chosen.mediaType !== undefined && IMAGE_INDEX_TYPES.has(chosen.mediaType)) {
      descriptors = parseJson(indexSchema, bytes, subject, `index ${chosen.digest}`).manifests;
      continue;
    }
    return {
      manifestDigest: chosen.digest,
      manifest: parseJson(manifestSchema, bytes, subject, `manifest ${chosen.digest}`),
    };
  }
  throw new InputError(subject, 'image index nesting too deep or empty', { hint: 'the layout is corrupt' });
}

async function resolveImage(store: BlobStore, options: ArchiveOptions): Promise<ImageFacts> {
  const subject = store.describe;
  const diagnostics: Diagnostic[] = [];
  const dockerManifest = await store.json('manifest.json');
  let configBytes: Buffer;
  let layerPaths: string[];
  let digest: string | undefined;
  let id: string;
  if (dockerManifest !== undefined) {
    const entries = parseJson(dockerManifestSchema, dockerManifest, subject, 'manifest.json');
    const entry =
      options.tag === undefined
        ? entries[0]
        : entries.find((e) =>
            (e.RepoTags ?? []).some((t) => t === options.tag || t === `${options.tag}:latest`),
          );
    if (entry === undefined)
      throw new InputError(subject, `no image tagged ${options.tag ?? ''} in manifest.json`, {
        hint: 'see the RepoTags in manifest.json',
      });
    if (entries.length > 1 && options.tag === undefined) {
      diagnostics.push({
        level: 'warning',
        subject,
        message: `archive holds ${entries.length} images; scanning the first (${(entry.RepoTags ?? [])[0] ?? entry.Config})`,
      });
    }
    const bytes = await store.json(entry.Config);
    if (bytes === undefined)
      throw new InputError(subject, `config ${entry.Config} named by manifest.json is missing`, {
        hint: 'the archive is incomplete; save it again',
      });
    configBytes = bytes;
    layerPaths = entry.Layers;
    id = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  } else {
    const architecture = (options.platform ?? 'linux/amd64').split('/')[1] ?? 'amd64';
    const resolved = await resolveOciManifest(store, subject, options.tag, architecture);
    const bytes = await store.json(blobPath(resolved.manifest.config.digest));
    if (bytes === undefined)
      throw new InputError(subject, `config blob ${resolved.manifest.config.digest} is missing`, {
        hint: 'the layout is incomplete; copy it again',
      });
    configBytes = bytes;
    layerPaths = resolved.manifest.layers.map((l) => blobPath(l.digest));
    digest = resolved.manifestDigest;
    id = resolved.manifest.config.digest;
  }
  const config: ImageConfig = parseJson(imageConfigSchema, configBytes, subject, 'image config');
  if (config.rootfs.diff_ids.length !== layerPaths.length) {
    throw new InputError(
      subject,
      `manifest lists ${layerPaths.length} layers but the config has ${config.rootfs.diff_ids.length} diff_ids`,
      { hint: 'the image is corrupt' },
    );
  }
  const layers: LayerScan[] = [];
  for (const [index, path] of layerPaths.entries()) {
    const layer = await store.layer(path);
    if (layer === undefined)
      throw new InputError(subject, `layer ${path} named by the manifest is missing`, {
        hint: 'the archive is incomplete; export it again',
      });
    const expected = config.rootfs.diff_ids[index];
    if (expected !== layer.diffId) {
      diagnostics.push({
        level: 'warning',
        subject,
        message: `layer ${index} (${path}): content digest ${layer.diffId} differs from the config's diff_id ${expected ?? '?'} (tampered or corrupt layer)`,
      });
    }
    layers.push(layer);
  }
  return analyzeLayers({
    source: options.source,
    ref: options.ref,
    id,
    digest,
    architecture: config.architecture,
    config: configFacts(config),
    history: historyFacts(config),
    layerRefs: layerRefs(config),
    layers,
    diagnostics,
  });
}

function wrapStreamError(subject: string, error: unknown): never {
  if (error instanceof BulkheadError) throw error;
  if (error instanceof TarFormatError || error instanceof DecompressError) {
    throw new InputError(subject, error.message, {
      cause: error,
      hint: 'the file is damaged or not an image archive; export or download it again',
    });
  }
  const code = errnoCode(error);
  if (code !== undefined) {
    throw new BulkheadError('INPUT_UNREADABLE', `cannot read ${subject} (${code})`, {
      subject,
      cause: error,
      hint: 'check the path and its permissions',
    });
  }
  throw error;
}

async function* prepend(head: Buffer, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }
}

function looksLikeTar(head: Buffer): boolean {
  if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar') return true;
  // An empty layer is just the two zero end-of-archive blocks.
  return head.length >= 512 && head.subarray(0, 512).every((b) => b === 0);
}

/** Reads an image archive from a byte stream (plain or gzip-compressed tar). */
export async function readImageArchive(
  source: AsyncIterable<Uint8Array>,
  options: ArchiveOptions & { subject: string },
): Promise<ImageFacts> {
  const jsons = new Map<string, Buffer>();
  const layers = new Map<string, LayerScan>();
  const links = new Map<string, string>();
  let jsonTotal = 0;
  let layerCount = 0;
  let bytes = 0;
  const budget = newCaptureBudget();
  try {
    const { stream } = await decompress(source);
    await walkTar(stream, {
      entry: async (header, body) => {
        if (header.type === 'symlink' && header.linkname !== undefined) {
          const target = resolveLinkTarget(header.path, header.linkname);
          if (target !== undefined) links.set(header.path, target);
          return;
        }
        if (header.type === 'hardlink' && header.linkname !== undefined) {
          links.set(header.path, header.linkname);
          return;
        }
        if (header.type !== 'file') return;
        const { head, rest } = await peek(body, 512);
        const isJson = head[0] === 0x7b || head[0] === 0x5b;
        if (isJson || header.path === 'oci-layout' || header.path === 'repositories') {
          if (header.size > MAX_JSON_BYTES || jsonTotal + header.size > MAX_JSON_TOTAL) {
            throw new InputError(
              options.subject,
              `${header.path}: JSON document of ${header.size} bytes is too large`,
              { hint: 'this does not look like an image archive' },
            );
          }
          const chunks: Buffer[] = [];
          for await (const chunk of prepend(head, rest)) chunks.push(chunk);
          const content = Buffer.concat(chunks);
          jsonTotal += content.length;
          jsons.set(header.path, content);
          return;
        }
        if (sniffCompression(head) !== 'none' || looksLikeTar(head)) {
          const layer = await scanLayer(prepend(head, rest), budget).catch((error: unknown) => {
            if (error instanceof TarFormatError || error instanceof DecompressError) {
              throw new InputError(options.subject, `layer ${header.path}: ${error.message}`, {
                cause: error,
                hint: 'the image archive is damaged; export it again',
              });
            }
            throw error;
          });
          layers.set(header.path, layer);
          layerCount += 1;
          bytes += layer.uncompressedBytes;
          options.onLayer?.(layerCount, bytes);
        }
      },
    });
  } catch (error) {
    wrapStreamError(options.subject, error);
  }
  const follow = (path: string): string => {
    const cleaned = cleanEntryName(path);
    let current = 'path' in cleaned ? cleaned.path : path;
    for (let hops = 0; hops < 8; hops += 1) {
      const next = links.get(current);
      if (next === undefined) return current;
      current = next;
    }
    return current;
  };
  const store: BlobStore = {
    describe: options.subject,
    json: (path) => Promise.resolve(jsons.get(follow(path))),
    layer: (path) => Promise.resolve(layers.get(follow(path))),
  };
  return resolveImage(store, options);
}

/**
 * Opens a file of an OCI layout directory: it must be a regular file inside the layout, reached without a symlink
 * (a blob linked to /etc/shadow must not be read), and never a FIFO or device (which would block or never end).
 */
function openLayoutFile(dir: string, path: string): { fd: number; size: number } | undefined {
  const resolved = resolveContained(dir, path, 'refuse-symlinks');
  if (!resolved.ok) {
    if (resolved.problem === 'missing') return undefined;
    throw new InputError(
      dir,
      `${resolved.reason}: an OCI layout is read only through regular files inside it`,
      {
        hint: 'copy the layout again (skopeo copy ... oci:DIR) instead of linking its files',
      },
    );
  }
  const opened = openRegular(resolved.path);
  if (opened.ok) return { fd: opened.fd, size: opened.size };
  if (opened.problem === 'missing') return undefined;
  throw new InputError(
    dir,
    opened.problem === 'not-regular'
      ? `${path} is ${opened.fileType ?? 'not a regular file'}, not a regular file: an OCI layout holds only regular files`
      : `cannot read ${path} (${opened.reason})`,
    { hint: 'copy the layout again (skopeo copy ... oci:DIR)' },
  );
}

/** Reads an OCI image layout directory, streaming each layer blob from disk in order. */
export async function readOciLayoutDir(dir: string, options: ArchiveOptions): Promise<ImageFacts> {
  let done = 0;
  let bytes = 0;
  const budget = newCaptureBudget();
  const store: BlobStore = {
    describe: dir,
    json: (path) => {
      // Paths come from validated digests ("blobs/sha256/<hex>") or fixed names, never from the layout's free text.
      const file = openLayoutFile(dir, path);
      if (file === undefined) return Promise.resolve(undefined);
      try {
        if (file.size > MAX_JSON_BYTES)
          throw new InputError(dir, `${path}: ${file.size} bytes is too large for a JSON document`, {
            hint: 'the layout is corrupt',
          });
        // At most the limit plus one byte, whatever the size said when the file was opened.
        const buffer = Buffer.alloc(Math.min(file.size, MAX_JSON_BYTES) + 1);
        let length = 0;
        for (;;) {
          const n = readSync(file.fd, buffer, length, buffer.length - length, null);
          if (n === 0) break;
          length += n;
          if (length === buffer.length)
            throw new InputError(dir, `${path}: grew while being read`, {
              hint: 'the layout is being modified',
            });
        }
        return Promise.resolve(buffer.subarray(0, length));
      } catch (error) {
        return wrapStreamError(dir, error);
      } finally {
        closeSync(file.fd);
      }
    },
    layer: async (path) => {
      const file = openLayoutFile(dir, path);
      if (file === undefined) return undefined;
      try {
        const layer = await scanLayer(
          createReadStream('', { fd: file.fd, highWaterMark: READ_CHUNK, autoClose: true }),
          budget,
        );
        done += 1;
        bytes += layer.uncompressedBytes;
        options.onLayer?.(done, bytes);
        return layer;
      } catch (error) {
        if (error instanceof TarFormatError || error instanceof DecompressError) {
          throw new InputError(dir, `layer ${path}: ${error.message}`, {
            cause: error,
            hint: 'the layout is damaged; copy it again',
          });
        }
        return wrapStreamError(dir, error);
      }
    },
  };
  if ((await store.json('oci-layout')) === undefined) {
    throw new InputError(dir, 'no oci-layout file: not an OCI image layout', {
      hint: 'make one with `skopeo copy docker-daemon:IMAGE oci:DIR:TAG`, or scan the directory as a root filesystem with rootfs:DIR',
    });
  }
  return resolveImage(store, options);
}
