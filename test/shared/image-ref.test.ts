// Table test of the one image-reference parser and the allow-list match, one row per form the four former copies
// (audit, authz, image/registry, lint) disagreed on; expected values follow distribution/reference's
// normalize.go and regexp.go (the parser's opening comment cites each decision).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  inAllowList,
  mayBeImageIdPrefix,
  namesImageId,
  parseImageRef,
  sameImageRef,
  sameRegistry,
  type NamedImageRef,
} from '../../src/shared/image-ref.js';

const D64 = `sha256:${'a'.repeat(64)}`;

type Row = readonly [raw: string, name: string, tag: string | undefined, digest: string | undefined];

describe('parseImageRef: names', () => {
  const rows: readonly Row[] = [
    ['alpine', 'docker.io/library/alpine', undefined, undefined],
    ['alpine:3.20', 'docker.io/library/alpine', '3.20', undefined],
    ['docker.io/alpine', 'docker.io/library/alpine', undefined, undefined],
    // index.docker.io is the legacy name of docker.io (legacyDefaultDomain): renamed
    ['index.docker.io/library/alpine', 'docker.io/library/alpine', undefined, undefined],
    ['index.docker.io/alpine', 'docker.io/library/alpine', undefined, undefined],
    // registry-1.docker.io is a host like any other as a name: kept, and no library/ outside docker.io
    ['registry-1.docker.io/library/alpine', 'registry-1.docker.io/library/alpine', undefined, undefined],
    ['registry-1.docker.io/alpine', 'registry-1.docker.io/alpine', undefined, undefined],
    ['bitnami/redis:7', 'docker.io/bitnami/redis', '7', undefined],
    ['a/b/c/d', 'docker.io/a/b/c/d', undefined, undefined],
    ['localhost/app', 'localhost/app', undefined, undefined],
    ['localhost:5000/app:1', 'localhost:5000/app', '1', undefined],
    // a single element is never a registry: "localhost:5000" is docker.io/library/localhost tagged 5000
    ['localhost:5000', 'docker.io/library/localhost', '5000', undefined],
    ['registry.example.com:443/x/y', 'registry.example.com:443/x/y', undefined, undefined],
    ['127.0.0.1:5000/x/y:1', '127.0.0.1:5000/x/y', '1', undefined],
    ['[::1]:5000/app', '[::1]:5000/app', undefined, undefined],
    // an upper-case first component is a registry (namespaces are lower case), and keeps its case
    ['Foo/bar', 'Foo/bar', undefined, undefined],
    ['Registry.Example.com/app', 'Registry.Example.com/app', undefined, undefined],
    ['ghcr.io/o/r:v1', 'ghcr.io/o/r', 'v1', undefined],
    // tag and digest together: both kept (the digest is what gets pulled)
    [`ghcr.io/o/r:v1@${D64}`, 'ghcr.io/o/r', 'v1', D64],
    [`alpine@${D64}`, 'docker.io/library/alpine', undefined, D64],
    [`alpine@sha512:${'b'.repeat(128)}`, 'docker.io/library/alpine', undefined, `sha512:${'b'.repeat(128)}`],
    // a short hex string is a valid name (dockerd also tries it as an id prefix: see mayBeImageIdPrefix)
    ['3f2a', 'docker.io/library/3f2a', undefined, undefined],
    ['a__b/c-d.e', 'docker.io/a__b/c-d.e', undefined, undefined],
  ];
  for (const [raw, name, tag, digest] of rows)
    it(raw, () => {
      const ref = parseImageRef(raw);
      assert.ok(ref.kind === 'named', JSON.stringify(ref));
      assert.deepEqual({ name: ref.name, tag: ref.tag, digest: ref.digest }, { name, tag, digest });
      assert.equal(ref.name, `${ref.domain}/${ref.path}`);
    });

  it('says whether the registry was written', () => {
    const written = (raw: string): boolean => (parseImageRef(raw) as NamedImageRef).domainWritten;
    assert.equal(written('alpine'), false);
    assert.equal(written('team/app'), false);
    assert.equal(written('docker.io/team/app'), true);
    assert.equal(written('localhost/app'), true);
    assert.equal(written('Foo/bar'), true);
  });
});

describe('parseImageRef: ids and invalid references', () => {
  it('reads 64 hex digits, with or without sha256:, as an image id', () => {
    assert.deepEqual(parseImageRef('a'.repeat(64)), { kind: 'id', id: D64 });
    assert.deepEqual(parseImageRef(D64), { kind: 'id', id: D64 });
  });
  const invalid: readonly [string, RegExp][] = [
    ['', /empty/],
    ['Busybox', /lower-case/],
    ['example.com/Team/app', /lower-case/],
    ['alpine:', /tag/],
    ['alpine:.bad', /tag/],
    [`alpine:${'t'.repeat(129)}`, /tag/],
    ['alpine@sha256:abc', /algorithm:hex/],
    [`alpine@sha256:${'A'.repeat(64)}`, /64 lower-case hex/],
    [`alpine@md5:${'a'.repeat(32)}`, /unsupported digest algorithm md5/],
    ['alpine@latest', /algorithm:hex/],
    ['a//b', /lower-case/],
    ['-bad/x', /registry|lower-case/],
    ['bad_host.com:x/app', /registry/],
    [`example.com/${'a'.repeat(250)}`, /longer than 255/],
    ['alpine app', /lower-case/],
  ];
  for (const [raw, reason] of invalid)
    it(JSON.stringify(raw.slice(0, 40)), () => {
      const ref = parseImageRef(raw);
      assert.ok(ref.kind === 'invalid', JSON.stringify(ref));
      assert.match(ref.reason, reason);
    });
});

describe('allow-lists', () => {
  const named = (raw: string): NamedImageRef => {
    const ref = parseImageRef(raw);
    assert.ok(ref.kind === 'named', raw);
    return ref;
  };
  const rows: readonly [string, readonly string[], boolean][] = [
    ['alpine', ['docker.io'], true],
    ['alpine', ['docker.io/library'], true],
    ['alpine', ['Docker.IO/'], true],
    ['someone/alpine', ['docker.io/library'], false],
    // the three Docker Hub hosts are one registry for trust: names on docker.io are pulled from registry-1
    ['alpine', ['registry-1.docker.io'], true],
    ['alpine', ['index.docker.io/library'], true],
    ['registry-1.docker.io/library/alpine', ['docker.io'], true],
    // hub.docker.com is the web site, not a registry
    ['alpine', ['hub.docker.com'], false],
    ['registry.example.com/a/b', ['registry.example.com'], true],
    ['Registry.Example.com/a/b', ['registry.example.com'], true],
    ['registry.example.com.evil.net/a', ['registry.example.com'], false],
    ['registry.example.com:5000/a', ['registry.example.com'], false],
    ['registry.example.com:5000/a', ['registry.example.com:5000'], true],
    ['ghcr.io/acme/app', ['ghcr.io/acme'], true],
    ['ghcr.io/acme-evil/app', ['ghcr.io/acme'], false],
  ];
  for (const [raw, entries, expected] of rows)
    it(`${raw} in [${entries.join(', ')}]`, () => {
      assert.equal(inAllowList(named(raw), entries), expected);
    });

  it('compares registries case-insensitively, the Hub hosts as one', () => {
    assert.ok(sameRegistry('docker.io', 'REGISTRY-1.docker.io'));
    assert.ok(sameRegistry('index.docker.io', 'docker.io'));
    assert.ok(!sameRegistry('docker.io', 'hub.docker.com'));
    assert.ok(!sameRegistry('ghcr.io', 'docker.io'));
  });

  it('treats short hex names as possible image id prefixes (authz cannot know their registry)', () => {
    assert.ok(mayBeImageIdPrefix('3f2a'));
    assert.ok(!mayBeImageIdPrefix('alpine'));
    assert.ok(!mayBeImageIdPrefix('a'.repeat(64)));
  });
});

describe('sameImageRef: two references name the same image as dockerd resolves them', () => {
  const rows: readonly (readonly [a: string, b: string, same: boolean])[] = [
    ['busybox', 'busybox:latest', true],
    ['docker.io/library/busybox', 'busybox:latest', true],
    ['index.docker.io/library/busybox:1', 'busybox:1', true],
    ['library/busybox:1', 'docker.io/busybox:1', true],
    ['Registry.Example.com/app:1', 'registry.example.com/app:1', true],
    ['busybox:1', 'busybox:latest', false],
    ['team/busybox', 'busybox', false],
    ['localhost:5000/app', 'localhost/app', false],
    // a digest wins over a tag (ParseDockerRef); a digest on one side only is another image
    [`busybox:1@${D64}`, `busybox@${D64}`, true],
    [`busybox@${D64}`, 'busybox', false],
    [D64, 'a'.repeat(64), true],
    ['Busybox', 'Busybox', false],
  ];
  for (const [a, b, same] of rows)
    it(`${a.slice(0, 40)} ${same ? '=' : '!='} ${b.slice(0, 40)}`, () => {
      assert.equal(sameImageRef(a, b), same);
      assert.equal(sameImageRef(b, a), same);
    });
});

describe('namesImageId: a reference that is the image id or a prefix of it', () => {
  const id = `sha256:${'3f2a'.repeat(16)}`;
  const rows: readonly (readonly [raw: string, names: boolean])[] = [
    [id, true],
    [id.slice('sha256:'.length), true],
    ['3f2a3f2a3f2a', true],
    ['sha256:3f2a3f2a', true],
    ['3f2b', false],
    ['busybox', false],
    [`sha256:${'b'.repeat(64)}`, false],
  ];
  for (const [raw, names] of rows)
    it(raw.slice(0, 40), () => {
      assert.equal(namesImageId(raw, id), names);
    });
});
