// Pulls an image straight from a registry with the Registry HTTP API v2 (distribution spec: GET /v2/<name>/manifests
// and /blobs), with Basic auth and the Bearer token flow (docker "Token Authentication Specification"), choosing the
// platform from an image index, verifying manifest and blob digests, and streaming each layer through the analyser.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { Diagnostic } from '../shared/diagnostic.js';
import { BulkheadError, UsageError } from '../shared/errors.js';
import { parseImageRef } from '../shared/image-ref.js';
import { analyzeLayers } from './analyze.js';
import { configFacts, historyFacts, imageConfigSchema, layerRefs } from './config.js';
import { newCaptureBudget } from './capture.js';
import { scanLayer, type LayerScan } from './layer.js';
import type { ImageFacts } from './types.js';

/** Where to pull a reference from: the registry host to contact, the repository path and the tag or digest. */
export interface RegistryEndpoint {
  /** Host[:port] to contact: docker.io names are served by registry-1.docker.io (registry/config.go). */
  readonly registry: string;
  readonly repository: string;
  /** Digest, else tag, else "latest" (ParseDockerRef: a digest wins over a tag). */
  readonly reference: string;
}

/** The endpoint of an image reference, parsed by the one parser (src/shared/image-ref.ts). */
export function registryEndpoint(refText: string): RegistryEndpoint {
  const ref = parseImageRef(refText);
  if (ref.kind === 'id')
    throw new UsageError(`${refText} is an image id; a registry serves names`, {
      subject: refText,
      hint: 'write HOST[:PORT]/NAME[:TAG] or NAME@sha256:DIGEST',
    });
  if (ref.kind === 'invalid')
    throw new UsageError(ref.reason, {
      subject: refText,
      hint: 'write HOST[:PORT]/NAME[:TAG] or NAME@sha256:DIGEST',
    });
  return {
    registry: ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain,
    repository: ref.path,
    reference: ref.digest ?? ref.tag ?? 'latest',
  };
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
}

export interface RegistryOptions {
  readonly auth?: RegistryAuth | undefined;
  readonly plainHttp: boolean;
  /** "linux/amd64" (default) or "linux/arm64/v8". */
  readonly platform?: string | undefined;
  readonly onLayer?: ((done: number, bytes: number) => void) | undefined;
}

export class RegistryError extends BulkheadError {
  constructor(message: string, subject: string, hint: string, cause?: unknown) {
    super('REGISTRY', message, { subject, hint, cause });
  }
}

/** Parses a WWW-Authenticate header: scheme plus key="value" parameters (RFC 7235 section 4.1). */
export function parseChallenge(header: string): { scheme: string; params: Map<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params = new Map<string, string>();
  const re = /([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const match of (space < 0 ? '' : header.slice(space + 1)).matchAll(re)) {
    const [, key = '', quoted, bare] = match;
    params.set(key.toLowerCase(), (quoted ?? bare ?? '').replace(/\\(.)/g, '$1'));
  }
  return { scheme, params };
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  size: z.number().int().nonnegative().optional(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
});
const manifestOrIndex = z.union([
  z.object({ manifests: z.array(descriptor) }),
  z.object({ config: descriptor, layers: z.array(descriptor) }),
]);

const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

class RegistryClient {
  private token: string | undefined;
  private readonly base: string;
  constructor(
    private readonly ref: RegistryEndpoint,
    private readonly display: string,
    private readonly options: RegistryOptions,
  ) {
    const scheme = options.plainHttp || isLoopback(ref.registry) ? 'http' : 'https';
    this.base = `${scheme}://${ref.registry}/v2/${ref.repository}`;
  }

  private basic(): string | undefined {
    const auth = this.options.auth;
    return auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }

  private async fetchToken(challenge: Map<string, string>): Promise<string> {
    const realm = challenge.get('realm');
    if (realm === undefined || !/^https?:\/\//.test(realm)) {
      throw new RegistryError(
        `registry ${this.ref.registry} sent a Bearer challenge without a usable realm`,
        this.display,
        'check the registry address',
      );
    }
    const url = new URL(realm);
    const service = challenge.get('service');
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', challenge.get('scope') ?? `repository:${this.ref.repository}:pull`);
    const basic = this.basic();
    const response = await this.send(url.toString(), basic === undefined ? {} : { authorization: basic });
    if (response.status === 401 && basic === undefined) {
      await response.body?.cancel();
      throw new RegistryError(
        `registry ${this.ref.registry} requires authentication`,
        this.display,
        'pass --registry-user NAME and set BULKHEAD_REGISTRY_PASSWORD',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(
        `token server ${url.origin} answered ${response.status}`,
        this.display,
        response.status === 401
          ? 'check --registry-user and BULKHEAD_REGISTRY_PASSWORD'
          : 'check the registry and its token service',
      );
    }
    const body = z
      .object({ token: z.string().optional(), access_token: z.string().optional() })
      .safeParse(await response.json());
    const token = body.success ? (body.data.token ?? body.data.access_token) : undefined;
    if (token === undefined)
      throw new RegistryError(
        `token server ${url.origin} returned no token`,
        this.display,
        'check the registry and its token service',
      );
    return token;
  }

  private async send(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers, redirect: 'follow' });
    } catch (error) {
      throw new RegistryError(
        `cannot reach registry ${this.ref.registry} (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`,
        this.display,
        'check the address; use --plain-http for a registry without TLS',
        error,
      );
    }
  }

  /** GET with the auth the registry asks for: anonymous first, then Basic or a Bearer token. */
  async get(path: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    const authed = (): Record<string, string> => {
      if (this.token !== undefined) return { ...headers, authorization: `Bearer ${this.token}` };
      const basic = this.basic();
      return basic === undefined ? headers : { ...headers, authorization: basic };
    };
    let response = await this.send(`${this.base}${path}`, authed());
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
      await response.body?.cancel();
      if (challenge.scheme === 'bearer') {
        this.token = await this.fetchToken(challenge.params);
        response = await this.send(`${this.base}${path}`, authed());
      } else if (this.options.auth === undefined) {
        throw new RegistryError(
          `registry ${this.ref.registry} requires authentication`,
          this.display,
          'pass --registry-user NAME and set BULKHEAD_REGISTRY_PASSWORD',
        );
      }
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new RegistryError(
        `registry ${this.ref.registry} denied access to ${this.ref.repository} (${response.status})`,
        this.display,
        'check --registry-user and BULKHEAD_REGISTRY_PASSWORD, and the repository name',
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new RegistryError(
        `${this.ref.repository}:${this.ref.reference} not found on ${this.ref.registry}`,
        this.display,
        'check the repository and tag',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(
        `registry ${this.ref.registry} answered ${response.status} for ${path}`,
        this.display,
        'retry later or check the registry logs',
      );
    }
    return response;
  }

  async document(path: string, accept?: string): Promise<{ bytes: Buffer; mediaType: string | undefined }> {
    const response = await this.get(path, accept);
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel();
      throw new RegistryError(
        `${path}: ${length}-byte document is too large`,
        this.display,
        'this is not an image manifest or config',
      );
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_DOCUMENT_BYTES)
      throw new RegistryError(
        `${path}: document is too large`,
        this.display,
        'this is not an image manifest or config',
      );
    return { bytes, mediaType: response.headers.get('content-type') ?? undefined };
  }

  async blobStream(digest: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.get(`/blobs/${digest}`);
    if (response.body === null)
      throw new RegistryError(`blob ${digest} has no body`, this.display, 'retry later');
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseDocument<T>(schema: z.ZodType<T>, bytes: Buffer, what: string, display: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new RegistryError(
      `${what} is not JSON`,
      display,
      'the registry returned something that is not an image',
      error,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new RegistryError(
      `${what} is not a supported image manifest or config: ${z.prettifyError(parsed.error)}`,
      display,
      'bulkhead reads OCI and Docker schema 2 images',
    );
  return parsed.data;
}

export async function readRegistryImage(refText: string, options: RegistryOptions): Promise<ImageFacts> {
  const ref = registryEndpoint(refText);
  const client = new RegistryClient(ref, refText, options);
  const [os = 'linux', architecture = 'amd64', variant] = (options.platform ?? 'linux/amd64').split('/');
  let path = `/manifests/${ref.reference}`;
  let manifestDigest: string | undefined;
  let manifest: { config: z.infer<typeof descriptor>; layers: z.infer<typeof descriptor>[] } | undefined;
  for (let depth = 0; depth < 3 && manifest === undefined; depth += 1) {
    const { bytes } = await client.document(path, MANIFEST_TYPES.join(', '));
    const digest = sha256(bytes);
    if (path.startsWith('/manifests/sha256:') && path !== `/manifests/${digest}`) {
      throw new RegistryError(
        `manifest digest ${digest} does not match the requested ${path.slice('/manifests/'.length)}`,
        refText,
        'the registry served tampered or corrupt content',
      );
    }
    const doc = parseDocument(manifestOrIndex, bytes, `manifest ${path}`, refText);
    if ('manifests' in doc) {
      const chosen = doc.manifests.find(
        (m) =>
          m.platform?.os === os &&
          m.platform.architecture === architecture &&
          (variant === undefined || m.platform.variant === variant),
      );
      if (chosen === undefined) {
        const available = doc.manifests
          .map((m) => (m.platform === undefined ? '?' : `${m.platform.os}/${m.platform.architecture}`))
          .join(', ');
        throw new RegistryError(
          `no ${os}/${architecture} image in ${refText} (has ${available})`,
          refText,
          'pick one with --platform OS/ARCH',
        );
      }
      path = `/manifests/${chosen.digest}`;
      continue;
    }
    manifestDigest = digest;
    manifest = doc;
  }
  if (manifest === undefined)
    throw new RegistryError(
      `image index nesting too deep in ${refText}`,
      refText,
      'the registry content is malformed',
    );
  const { bytes: configBytes } = await client.document(`/blobs/${manifest.config.digest}`);
  if (sha256(configBytes) !== manifest.config.digest) {
    throw new RegistryError(
      `config blob does not match its digest ${manifest.config.digest}`,
      refText,
      'the registry served tampered or corrupt content',
    );
  }
  const config = parseDocument(imageConfigSchema, configBytes, 'image config', refText);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new RegistryError(
      `manifest lists ${manifest.layers.length} layers but the config has ${config.rootfs.diff_ids.length} diff_ids`,
      refText,
      'the image is corrupt',
    );
  }
  const diagnostics: Diagnostic[] = [];
  const layers: LayerScan[] = [];
  let bytes = 0;
  const budget = newCaptureBudget();
  for (const [index, layer] of manifest.layers.entries()) {
    const hash = createHash('sha256');
    const body = await client.blobStream(layer.digest);
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
    }
    const scanned = await scanLayer(hashed(), budget);
    const blobDigest = `sha256:${hash.digest('hex')}`;
    if (blobDigest !== layer.digest) {
      throw new RegistryError(
        `layer ${index} blob digest ${blobDigest} does not match the manifest's ${layer.digest}`,
        refText,
        'the registry served tampered or corrupt content',
      );
    }
    if (scanned.diffId !== config.rootfs.diff_ids[index]) {
      diagnostics.push({
        level: 'warning',
        subject: refText,
        message: `layer ${index}: content digest ${scanned.diffId} differs from the config's diff_id`,
      });
    }
    layers.push(scanned);
    bytes += scanned.uncompressedBytes;
    options.onLayer?.(index + 1, bytes);
  }
  return analyzeLayers({
    source: 'registry',
    ref: refText,
    id: manifest.config.digest,
    digest: manifestDigest,
    architecture: config.architecture,
    config: configFacts(config),
    history: historyFacts(config),
    layerRefs: layerRefs(config),
    layers,
    diagnostics,
  });
}
