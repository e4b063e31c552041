// Builds (once) a real Debian 12 root filesystem with debootstrap (DESIGN.md "Test engine") and caches it as a tar
// under ~/.cache/bulkhead-test/, keyed by the package list, with `dpkg-query -W` of the rootfs as the oracle; then
// turns it into images on a test engine: a one-layer image (docker import), a two-layer variant (a base without
// sudo, then `docker build --network=none` reinstalling sudo from the .deb debootstrap left behind), and their
// docker-archive and OCI layout exports (docker save, skopeo copy), which are cached next to the rootfs under the
// same lock (a later run, or another test file, `docker load`s them instead of rebuilding a 350 MB image).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEBIAN_PACKAGES = ['curl', 'openssl', 'libxml2', 'perl', 'sudo', 'python3-minimal'] as const;
const MIRROR = 'http://deb.debian.org/debian';

export interface DebianRootfs {
  /** Plain tar of the root filesystem (entries "./etc/...", numeric owners). */
  readonly tar: string;
  /** `dpkg-query -W -f '${Package} ${Version} ${source:Package} ${source:Version}\n'` inside the rootfs, sorted. */
  readonly dpkgQuery: string;
}

function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return join(base, 'bulkhead-test');
}

const QUERY_FORMAT = '${Package} ${Version} ${source:Package} ${source:Version}\n';

/**
 * The one cache lock: returns `read()` when `ready()`, else builds with `build()` while holding `<path>.lock`.
 * Test files run in parallel: one process builds, the others wait for its result (a stale lock is broken).
 */
function cachedUnderLock<T>(path: string, ready: () => boolean, read: () => T, build: () => T): T {
  if (ready()) return read();
  mkdirSync(cacheDir(), { recursive: true });
  const lock = `${path}.lock`;
  try {
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 20 * 60 * 1000)
      rmSync(lock, { recursive: true });
    mkdirSync(lock);
  } catch {
    for (let waited = 0; waited < 15 * 60; waited += 1) {
      if (ready()) return read();
      if (!existsSync(lock)) throw new Error(`another process failed to build ${path}; see its error`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
    throw new Error(
      `timed out waiting for another process to build ${path} (remove ${lock} if none is running)`,
    );
  }
  try {
    return ready() ? read() : build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Returns the cached Debian 12 rootfs tar, building it with debootstrap (~1-2 min) when absent. */
export function debianRootfs(): DebianRootfs {
  const key = createHash('sha256')
    .update(`bookworm minbase ${DEBIAN_PACKAGES.join(',')} v1`)
    .digest('hex')
    .slice(0, 16);
  const dir = cacheDir();
  const tar = join(dir, `debian12-${key}.tar`);
  const query = join(dir, `debian12-${key}.dpkg-query`);
  return cachedUnderLock(
    tar,
    () => existsSync(tar) && existsSync(query),
    () => ({ tar, dpkgQuery: readFileSync(query, 'utf8') }),
    () => buildRootfs(tar, query),
  );
}

function buildRootfs(tar: string, query: string): DebianRootfs {
  const work = mkdtempSync(join(tmpdir(), 'bh-deb-'));
  const root = join(work, 'rootfs');
  try {
    execFileSync(
      'debootstrap',
      ['--variant=minbase', `--include=${DEBIAN_PACKAGES.join(',')}`, 'bookworm', root, MIRROR],
      { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
    const dpkgQuery = execFileSync(
      'dpkg-query',
      [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', QUERY_FORMAT],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean)
      .sort()
      .join('\n');
    const partial = `${tar}.partial`;
    execFileSync('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', partial, '.']);
    writeFileSync(query, `${dpkgQuery}\n`);
    renameSync(partial, tar);
    return { tar, dpkgQuery: `${dpkgQuery}\n` };
  } finally {
    execFileSync('rm', ['-rf', '--one-file-system', work]);
  }
}

export interface EngineLike {
  readonly host: string;
  docker(args: readonly string[], input?: string | Buffer): string;
}

export interface DebianImages {
  readonly oneLayer: string;
  readonly twoLayer: string;
  readonly dir: string;
  readonly dockerArchive: string;
  readonly ociLayout: string;
  readonly twoLayerArchive: string;
  cleanup(): void;
}

/**
 * The rootfs as one- and two-layer images on the engine, with their exports. The exports are cached (keyed by
 * the rootfs and the tag prefix, which the archives carry): when present they are `docker load`ed, giving the
 * same image ids, instead of building again. `cleanup()` keeps the cache.
 */
export function makeDebianImages(
  engine: EngineLike,
  rootfs: DebianRootfs,
  tagPrefix = 'bulkhead-test/debian12',
): DebianImages {
  const key = createHash('sha256').update(`${rootfs.tar} ${tagPrefix} images v1`).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), `debian12-images-${key}`);
  const complete = join(dir, 'complete');
  const files = {
    dockerArchive: join(dir, 'debian12.tar'),
    twoLayerArchive: join(dir, 'debian12-two.tar'),
    ociLayout: join(dir, 'debian12-oci'),
  };
  const tags = { oneLayer: `${tagPrefix}:one`, twoLayer: `${tagPrefix}:two` };
  const built = cachedUnderLock(
    dir,
    () => existsSync(complete),
    () => false,
    () => {
      const work = mkdtempSync(join(tmpdir(), 'bh-debimg-'));
      try {
        const made = buildImages(engine, rootfs, tagPrefix, work);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const name of ['dockerArchive', 'twoLayerArchive', 'ociLayout'] as const)
          execFileSync('mv', [made[name], files[name]]);
        writeFileSync(complete, `${new Date().toISOString()}\n`);
        return true;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
  if (!built) {
    engine.docker(['load', '-q', '-i', files.dockerArchive]);
    engine.docker(['load', '-q', '-i', files.twoLayerArchive]);
  }
  return { ...tags, dir, ...files, cleanup: () => undefined };
}

function buildImages(
  engine: EngineLike,
  rootfs: DebianRootfs,
  tagPrefix: string,
  dir: string,
): Omit<DebianImages, 'cleanup'> {
  const oneLayer = `${tagPrefix}:one`;
  const twoLayer = `${tagPrefix}:two`;
  const base = `${tagPrefix}:nosudo`;
  const history = ['--change', 'CMD ["/bin/bash"]'];
  engine.docker(['import', ...history, rootfs.tar, oneLayer]);
  // The base of the two-layer variant: the same rootfs with sudo purged, flattened to one layer again.
  // policy-rc.d (as debuerreotype's official images ship) stops maintainer scripts from starting services;
  // sudo's prerm refuses removal without a root password unless SUDO_FORCE_REMOVE=yes.
  const script =
    "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && SUDO_FORCE_REMOVE=yes dpkg --purge sudo";
  const container = engine.docker(['create', '--network', 'none', oneLayer, 'sh', '-c', script]).trim();
  try {
    engine.docker(['start', '-a', container]);
    const exported = join(dir, 'nosudo.tar');
    engine.docker(['export', '-o', exported, container]);
    engine.docker(['import', ...history, exported, base]);
    rmSync(exported);
  } finally {
    engine.docker(['rm', '-f', container]);
  }
  const context = join(dir, 'ctx');
  mkdirSync(context);
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM ${base}\nRUN dpkg -i /var/cache/apt/archives/sudo_*.deb\n`,
  );
  execFileSync(
    '/usr/bin/docker',
    ['--host', engine.host, 'build', '--network=none', '-q', '-t', twoLayer, context],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    },
  );
  const dockerArchive = join(dir, 'debian12.tar');
  const twoLayerArchive = join(dir, 'debian12-two.tar');
  const ociLayout = join(dir, 'debian12-oci');
  engine.docker(['save', '-o', dockerArchive, oneLayer]);
  engine.docker(['save', '-o', twoLayerArchive, twoLayer]);
  execFileSync('skopeo', [
    'copy',
    '--quiet',
    '--src-daemon-host',
    engine.host,
    `docker-daemon:${oneLayer}`,
    `oci:${ociLayout}:one`,
  ]);
  return {
    oneLayer,
    twoLayer,
    dir,
    dockerArchive,
    ociLayout,
    twoLayerArchive,
  };
}
