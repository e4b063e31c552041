// Reads an image from a Docker engine by name or id: inspects it (Engine API GET /images/{name}/json) and streams
// its `docker save` export (GET /images/{name}/get) through the same single-pass archive reader — no temp file.
import type Docker from 'dockerode';
import { BulkheadError, EngineUnreachableError } from '../shared/errors.js';
import { readImageArchive } from './archive.js';
import type { ImageFacts } from './types.js';

function statusOf(error: unknown): number | undefined {
  if (
    typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    typeof error.statusCode === 'number'
  )
    return error.statusCode;
  return undefined;
}

export class ImageNotFoundError extends BulkheadError {
  constructor(ref: string, where: string, cause?: unknown) {
    super('IMAGE_INVALID', `image ${ref} not found in ${where}`, {
      subject: ref,
      hint: 'check the name with `docker images`, pull it first, or pass a registry reference (docker://HOST/NAME:TAG)',
      cause,
    });
  }
}

export interface EngineImageOptions {
  readonly address: string;
  readonly onLayer?: ((done: number, bytes: number) => void) | undefined;
}

export async function readEngineImage(
  docker: Docker,
  ref: string,
  options: EngineImageOptions,
): Promise<ImageFacts> {
  const image = docker.getImage(ref);
  let id: string;
  try {
    const info: unknown = await image.inspect();
    if (typeof info !== 'object' || info === null || !('Id' in info) || typeof info.Id !== 'string')
      throw new BulkheadError('ENGINE_API', `engine returned no Id for image ${ref}`, { subject: ref });
    id = info.Id;
  } catch (error) {
    if (error instanceof BulkheadError) throw error;
    if (statusOf(error) === 404) throw new ImageNotFoundError(ref, `the engine at ${options.address}`, error);
    if (statusOf(error) === undefined) throw new EngineUnreachableError(options.address, { cause: error });
    throw new BulkheadError('ENGINE_API', `engine refused to inspect image ${ref}: ${String(error)}`, {
      subject: ref,
      cause: error,
    });
  }
  // Export by id so a tag moved meanwhile cannot swap the image under us.
  const stream = (await docker.getImage(id).get()) as AsyncIterable<Uint8Array>;
  const facts = await readImageArchive(stream, {
    ref,
    source: 'engine',
    subject: `image ${ref}`,
    onLayer: options.onLayer,
  });
  if (facts.id !== id) {
    return {
      ...facts,
      diagnostics: [
        ...facts.diagnostics,
        {
          level: 'warning',
          subject: ref,
          message: `exported config digest ${facts.id ?? '?'} differs from the engine's id ${id}`,
        },
      ],
    };
  }
  return facts;
}
