// The one image-reference parser: github.com/distribution/reference ParseAnyReference / ParseNormalizedNamed
// (normalize.go, regexp.go) as dockerd and the docker CLI apply them, plus the registry allow-list match that
// audit, lint and authz share. Table-tested form by form in test/shared/image-ref.test.ts.
//
// Decisions, each Docker's own behaviour:
// - A first component is a registry when it is "localhost", contains "." or ":", or has an upper-case letter
//   (splitDockerDomain); "index.docker.io" is renamed "docker.io"; "registry-1.docker.io" is NOT renamed (it is
//   the Hub's API host, registry/config.go DefaultRegistryHost, but as a name it stays as written).
// - Single names on docker.io get "library/" ("alpine" -> docker.io/library/alpine); other registries never do.
// - Path components are lower case ("Busybox" is invalid); a registry keeps its case (DNS ignores it, so
//   comparisons lower-case it); a tag is [\w][\w.-]{0,127}; "name:tag@digest" keeps both (ParseDockerRef would
//   drop the tag for pulling, the text still says it).
// - A digest is algorithm:hex and go-digest accepts only sha256 (64 hex), sha384 (96) and sha512 (128).
// - 64 hex characters, with or without "sha256:", is an image id, never a name (anchoredIdentifierRegexp).
// - domain/path is at most 255 characters (NameTotalLengthMax).

export type ImageRef =
  | {
      readonly kind: 'named';
      /** Registry host[:port] as written, "docker.io" when none is ("index.docker.io" becomes "docker.io"). */
      readonly domain: string;
      /** Repository path without the registry ("library/alpine" for "alpine"). */
      readonly path: string;
      /** domain/path, the canonical name ("docker.io/library/alpine"). */
      readonly name: string;
      readonly tag: string | undefined;
      readonly digest: string | undefined;
      /** Whether the text named its registry (false for "alpine" and "bitnami/redis"). */
      readonly domainWritten: boolean;
    }
  /** A full image id: dockerd resolves it locally, so its registry cannot be known. */
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'invalid'; readonly reason: string };

export type NamedImageRef = Extract<ImageRef, { kind: 'named' }>;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const NAME_TOTAL_LENGTH_MAX = 255;

function invalid(raw: string, what: string): ImageRef {
  return { kind: 'invalid', reason: `invalid image reference ${JSON.stringify(raw)}: ${what}` };
}

/** Parses an image reference as dockerd does; never throws. */
export function parseImageRef(raw: string): ImageRef {
  if (/^[a-f0-9]{64}$/.test(raw)) return { kind: 'id', id: `sha256:${raw}` };
  if (/^sha256:[a-f0-9]{64}$/.test(raw)) return { kind: 'id', id: raw };
  if (raw === '') return invalid(raw, 'empty');
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return invalid(raw, `digest ${digest} is not algorithm:hex`);
    const [algorithm = '', hex = ''] = digest.split(':');
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) return invalid(raw, `unsupported digest algorithm ${algorithm}`);
    if (hex.length !== length || /[A-F]/.test(hex))
      return invalid(raw, `a ${algorithm} digest is ${length} lower-case hex digits`);
  }
  // the tag is after the last ":" that follows the last "/" (a ":" before it is a port)
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return invalid(raw, `tag ${tag} is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const domainWritten =
    slash >= 0 &&
    (first === 'localhost' ||
      first === LEGACY_DEFAULT_DOMAIN ||
      /[.:]/.test(first) ||
      first.toLowerCase() !== first);
  let domain = domainWritten ? first : DEFAULT_DOMAIN;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domainWritten && !DOMAIN.test(domain)) return invalid(raw, `registry ${domain} is not host[:port]`);
  let path = domainWritten ? rest.slice(slash + 1) : rest;
  const components = path.split('/');
  if (components.some((c) => !PATH_COMPONENT.test(c)))
    return invalid(raw, `repository ${path} must be lower-case components ([a-z0-9] joined by . _ __ -)`);
  if (domain === DEFAULT_DOMAIN && components.length === 1) path = `library/${path}`;
  const name = `${domain}/${path}`;
  if (name.length > NAME_TOTAL_LENGTH_MAX)
    return invalid(raw, `name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  return { kind: 'named', domain, path, name, tag, digest, domainWritten };
}

/**
 * Docker Hub's names for trust decisions: "docker.io" names are pulled from registry-1.docker.io
 * (registry/config.go DefaultRegistryHost) and "index.docker.io" is its legacy name, so an allow-list entry
 * written with any of the three means the same registry. hub.docker.com is the web site, not a registry.
 */
const HUB_HOSTS: ReadonlySet<string> = new Set([
  DEFAULT_DOMAIN,
  LEGACY_DEFAULT_DOMAIN,
  'registry-1.docker.io',
]);

function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return HUB_HOSTS.has(lower) ? DEFAULT_DOMAIN : lower;
}

/** Whether two registry hosts are the same registry (case-insensitive; the three Docker Hub hosts are one). */
export function sameRegistry(a: string, b: string): boolean {
  return canonicalHost(a) === canonicalHost(b);
}

/**
 * Whether a named reference is under an allow-list entry: a registry host ("registry.example.com:5000",
 * "docker.io") admits everything on it; host/path ("docker.io/library", "ghcr.io/acme") admits that path and
 * below, matched per component ("ghcr.io/acme" does not admit "ghcr.io/acme-evil").
 */
export function inAllowList(ref: NamedImageRef, entries: readonly string[]): boolean {
  const host = canonicalHost(ref.domain);
  const full = `${host}/${ref.path}`;
  return entries.some((entry) => {
    const trimmed = entry.replace(/\/+$/, '');
    const slash = trimmed.indexOf('/');
    const entryHost = canonicalHost(slash < 0 ? trimmed : trimmed.slice(0, slash));
    if (slash < 0) return entryHost === host;
    const prefix = `${entryHost}/${trimmed.slice(slash + 1)}`;
    return full === prefix || full.startsWith(`${prefix}/`);
  });
}

/**
 * Whether `raw` may be an image id prefix: dockerd resolves a name it has no tag for by id prefix too
 * (daemon/images GetImage falls back to the image store's Search), so "3f2a" names an unknown registry.
 */
export function mayBeImageIdPrefix(raw: string): boolean {
  return /^[a-f0-9]{1,63}$/.test(raw);
}

/**
 * Whether `raw` names the image `id` ("sha256:<64 hex>") by its id: the full id (with or without "sha256:") or a
 * prefix of it, as dockerd's image store Search accepts (a prefix of the hex with or without "sha256:").
 */
export function namesImageId(raw: string, id: string): boolean {
  const ref = parseImageRef(raw);
  if (ref.kind === 'id') return ref.id === id;
  const hex = raw.startsWith('sha256:') ? raw.slice('sha256:'.length) : raw;
  return mayBeImageIdPrefix(hex) && id.startsWith(`sha256:${hex}`);
}

/**
 * Whether two references name the same image as dockerd resolves them: the same canonical name ("alpine" is
 * "docker.io/library/alpine", the registry compared case-insensitively) and the same digest when either has one
 * (a digest wins over a tag: ParseDockerRef), else the same tag, "latest" when none is written (TagNameOnly).
 */
export function sameImageRef(a: string, b: string): boolean {
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  if (x.kind === 'id' || y.kind === 'id') return x.kind === 'id' && y.kind === 'id' && x.id === y.id;
  if (x.kind !== 'named' || y.kind !== 'named') return false;
  if (!sameRegistry(x.domain, y.domain) || x.path !== y.path) return false;
  if (x.digest !== undefined || y.digest !== undefined) return x.digest === y.digest;
  return (x.tag ?? 'latest') === (y.tag ?? 'latest');
}
