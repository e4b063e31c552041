// Picks the profiles a `watch profile` command means (a digest or its prefix, an image name compared as the one
// image-reference parser reads it, a container name resolved through the Engine, or --all).
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { sameImageRef } from '../shared/image-ref.js';
import { listProfileDigests, loadProfile, profileFile, type Profile } from './profile.js';

export type ProfileTarget = { readonly all: true } | { readonly name: string };

export interface ProfilePair {
  readonly digest: string;
  readonly names: readonly string[];
  readonly enforced: Profile | undefined;
  readonly learned: Profile | undefined;
}

function pair(dir: string, digest: string): ProfilePair {
  const read = (kind: 'enforced' | 'learned'): Profile | undefined => {
    const file = profileFile(dir, digest, kind);
    return existsSync(file) ? loadProfile(file) : undefined;
  };
  const enforced = read('enforced');
  const learned = read('learned');
  return { digest, names: (learned ?? enforced)?.image.names ?? [], enforced, learned };
}

export async function resolveProfiles(
  dir: string,
  target: ProfileTarget,
  docker: Docker | undefined,
): Promise<ProfilePair[]> {
  const digests = listProfileDigests(dir);
  if ('all' in target) return digests.map((d) => pair(dir, d));
  const name = target.name;
  const hex = name.replace(/^sha256:/, '');
  if (/^[0-9a-f]{12,64}$/.test(hex)) {
    const found = digests.filter((d) => d.slice('sha256:'.length).startsWith(hex));
    if (found.length > 0) return found.map((d) => pair(dir, d));
  }
  const pairs = digests.map((d) => pair(dir, d));
  const byImage = pairs.filter((p) => p.names.some((n) => sameImageRef(n, name)));
  if (byImage.length > 0) return byImage;
  if (docker !== undefined) {
    try {
      const image = z.object({ Image: z.string() }).parse(await docker.getContainer(name).inspect()).Image;
      const match = pairs.filter((p) => p.digest === image);
      if (match.length > 0) return match;
    } catch {
      // not a container name either
    }
  }
  throw new InputError(dir, `no profile for ${name} (${digests.length} profile(s) in the directory)`, {
    hint: 'name a container, an image name or a digest from `bulkhead watch profile show --all`',
  });
}
