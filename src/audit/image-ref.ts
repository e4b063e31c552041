// Splits a Docker image reference into registry, repository, tag and digest the way docker/distribution's
// reference package normalises names: the first component is a registry only when it contains "." or ":"
// or is "localhost"; otherwise the image comes from docker.io (library/ for single names).

export interface ImageRef {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function parseImageRef(ref: string): ImageRef | undefined {
  if (ref === '' || ref.startsWith('sha256:') || /^[a-f0-9]{64}$/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const isRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isRegistry ? first : 'docker.io';
  let repository = isRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag, digest };
}

/** "docker.io" also answers to index.docker.io and registry-1.docker.io. */
export function sameRegistry(a: string, b: string): boolean {
  const norm = (r: string): string => {
    const l = r.toLowerCase();
    return l === 'index.docker.io' || l === 'registry-1.docker.io' ? 'docker.io' : l;
  };
  return norm(a) === norm(b);
}
