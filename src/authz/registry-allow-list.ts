// The policy's registry allow-list over image names parsed by the one parser (src/shared/image-ref.ts): entries
// are hosts, host/path prefixes or globs ("docker.io/library", "registry.example.com", "*.example.com/*").
import { inAllowList, type NamedImageRef } from '../shared/image-ref.js';
import { globMatch, hasGlob } from './glob.js';

/**
 * Whether `raw` may be an image id prefix: dockerd resolves a name it has no tag for by id prefix too
 * (daemon/images GetImage falls back to the image store's Search), so "3f2a" names an unknown registry.
 */
export function mayBeImageIdPrefix(raw: string): boolean {
  return /^[a-f0-9]{1,63}$/.test(raw);
}

/** Whether the image is under an allow-list entry: "docker.io/library", "registry.example.com", globs. */
export function registryAllowed(ref: NamedImageRef, allow: readonly string[]): boolean {
  return allow.some((entry) => {
    const e = entry.replace(/\/+$/, '');
    return hasGlob(e) ? globMatch(e, ref.name) : inAllowList(ref, [e]);
  });
}
