// Normalises image references the way dockerd does (github.com/distribution/reference ParseNormalizedNamed):
// a first component with "." or ":" or equal to "localhost" is a registry, otherwise docker.io, and single-name
// Docker Hub images live under "library/". Used for the registry allow-list.
import { globMatch, hasGlob } from './glob.js';

export type ImageRef =
  | {
      readonly kind: 'named';
      /** registry/path, e.g. docker.io/library/busybox */
      readonly repository: string;
      readonly registry: string;
      readonly tag: string | undefined;
      readonly digest: string | undefined;
    }
  /** A full or short image id: dockerd resolves it locally, so its registry cannot be known. */
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function parseImageRef(raw: string): ImageRef {
  if (/^sha256:[a-f0-9]{64}$/.test(raw) || /^[a-f0-9]{64}$/.test(raw)) return { kind: 'id', id: raw };
  if (/^[a-f0-9]{1,63}$/.test(raw)) return { kind: 'id', id: raw };
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { kind: 'invalid', reason: `invalid digest in ${raw}` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { kind: 'invalid', reason: `invalid tag in ${raw}` };
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!DOMAIN.test(first)) return { kind: 'invalid', reason: `invalid registry ${first} in ${raw}` };
    registry = first === 'index.docker.io' ? 'docker.io' : first;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((c) => !NAME_COMPONENT.test(c))) {
    return { kind: 'invalid', reason: `invalid repository name ${raw} (lower-case components only)` };
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { kind: 'named', repository: `${registry}/${parts.join('/')}`, registry, tag, digest };
}

/** Whether `repository` is under an allow-list entry: "docker.io/library", "registry.example.com", globs. */
export function registryAllowed(repository: string, allow: readonly string[]): boolean {
  return allow.some((entry) => {
    const e = entry.replace(/\/+$/, '');
    if (hasGlob(e)) return globMatch(e, repository);
    return repository === e || repository.startsWith(`${e}/`);
  });
}
