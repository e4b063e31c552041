// Sniffs a byte stream's compression by its magic number and yields the decompressed bytes: gzip (RFC 1952),
// zstd (RFC 8878, via fzstd because Node 20's zlib has none) or plain, as OCI image-spec "layer media types" allow.
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return 'gzip';
  if (ZSTD_MAGIC.every((byte, i) => head[i] === byte)) return 'zstd';
  return 'none';
}

/** Thrown when a compressed stream is corrupt; callers wrap it with the name of the input. */
export class DecompressError extends Error {
  constructor(compression: Compression, cause: unknown) {
    super(`corrupt ${compression} data (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
    this.name = 'DecompressError';
  }
}

/** Reads at least `min` bytes (or all there is) from an iterator, returning them and the iterator to continue. */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  min: number,
): Promise<{ head: Buffer; rest: AsyncIterator<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < min) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks, length), rest: iterator };
}

async function* iterate(head: Buffer, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }
}

async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // Larger output chunks than zlib's 16 KiB default: fewer hops through the tar parser per megabyte.
  const gz = createGunzip({ chunkSize: 256 * 1024 });
  // Pump the input into zlib from a side task; errors surface through the gunzip stream's iterator.
  const pump = (async () => {
    try {
      for await (const chunk of input) {
        if (!gz.write(chunk)) await new Promise<void>((resolve) => gz.once('drain', resolve));
        if (gz.destroyed) return;
      }
      gz.end();
    } catch (error) {
      gz.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (error instanceof Error && 'errno' in error) throw new DecompressError('gzip', error);
    throw error;
  } finally {
    gz.destroy();
    await pump;
  }
}

async function* unzstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  const decoder = new Decompress((data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      throw new DecompressError('zstd', error);
    }
  };
  for await (const chunk of input) {
    push(chunk, false);
    while (out.length > 0) {
      const next = out.shift();
      if (next !== undefined) yield next;
    }
  }
  push(new Uint8Array(0), true);
  for (const chunk of out) yield chunk;
}

/** Decompresses whatever the stream's magic says, yielding plain bytes and reporting the compression found. */
export async function decompress(
  source: AsyncIterable<Uint8Array>,
): Promise<{ compression: Compression; stream: AsyncGenerator<Buffer> }> {
  const { head, rest } = await peek(source, 4);
  const compression = sniffCompression(head);
  const plain = iterate(head, rest);
  switch (compression) {
    case 'gzip':
      return { compression, stream: gunzip(plain) };
    case 'zstd':
      return { compression, stream: unzstd(plain) };
    case 'none':
      return { compression, stream: plain };
    default:
      return compression satisfies never;
  }
}
