// Shared inputs of the image rules' case tables (src/scan/rules/*): image facts with a non-root user, one layer and
// nothing secret, overridden per case.
import type { ImageFacts, SecretCandidate } from '../image/types.js';

export const LAYER0 = { index: 0, digest: `sha256:${'a'.repeat(64)}`, createdBy: 'ADD rootfs.tar /' };
export const LAYER1 = {
  index: 1,
  digest: `sha256:${'b'.repeat(64)}`,
  createdBy: '|1 NPM_TOKEN=npm_abcdefgh /bin/sh -c npm ci',
};

export function factsWith(
  overrides: Partial<ImageFacts> & { user?: string; env?: string[] } = {},
): ImageFacts {
  const { user = '1000', env = ['PATH=/usr/bin'], ...rest } = overrides;
  return {
    source: 'docker-archive',
    ref: 'test:latest',
    id: `sha256:${'c'.repeat(64)}`,
    os: { family: 'debian', id: 'debian', versionId: '12', evidence: 'etc/os-release' },
    config: { user, env, cmd: [], entrypoint: [], workingDir: '', labels: {}, exposedPorts: [] },
    history: [{ createdBy: LAYER0.createdBy, emptyLayer: false }],
    layers: [{ ...LAYER0, compression: 'none', uncompressedBytes: 0, entries: 0 }],
    packages: [],
    specialFiles: [],
    secretCandidates: [],
    passwd: 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\ntoor:x:0:0::/:/bin/sh\n',
    diagnostics: [],
    ...rest,
  };
}

export const RSA_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
export const candidate = (path: string, content: string, removedLater = false): SecretCandidate => ({
  path,
  content,
  layer: LAYER0,
  removedLater,
});

const { config: _config, id: _id, ...withoutImage } = factsWith();
export const rootfs: ImageFacts = { ...withoutImage, source: 'rootfs', history: [], layers: [] };
