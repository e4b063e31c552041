// The policy's registry allow-list over image names parsed by the one parser (src/shared/image-ref.ts): entries
// are hosts, host/path prefixes or globs ("docker.io/library", "registry.example.com", "*.example.com/*").
import { inAllowList, type NamedImageRef } from '../shared/image-ref.js';
import { globMatch, hasGlob } from '../shared/glob.js';

/** Whether the image is under an allow-list entry: "docker.io/library", "registry.example.com", globs. */
export function registryAllowed(ref: NamedImageRef, allow: readonly string[]): boolean {
  return allow.some((entry) => {
    const e = entry.replace(/\/+$/, '');
    return hasGlob(e) ? globMatch(e, ref.name) : inAllowList(ref, [e]);
  });
}
