// Which files of a layer the analysers need, and how much of each to keep: package databases and OS release files
// (the paths Trivy's and Syft's OS and package analysers read), /etc/passwd for the user check, and small files
// that commonly hold private keys or registry/cloud credentials (CIS Docker Benchmark 4.10, "secrets in images").
import { posix } from 'node:path';
import { isContentSetPath } from '../packages/content-sets.js';

export type CaptureKind = 'os-release' | 'package-db' | 'passwd' | 'secret-candidate';

export interface CapturePolicy {
  readonly kind: CaptureKind;
  /** Larger files are skipped with a warning rather than buffered. */
  readonly maxBytes: number;
}

const MIB = 1024 * 1024;

const OS_FILES = new Set([
  'etc/os-release',
  'usr/lib/os-release',
  'etc/debian_version',
  'etc/alpine-release',
  'etc/redhat-release',
]);

const PACKAGE_DBS = new Map<string, number>([
  ['var/lib/dpkg/status', 64 * MIB],
  ['lib/apk/db/installed', 64 * MIB],
  ['var/lib/rpm/rpmdb.sqlite', 160 * MIB],
  ['usr/lib/sysimage/rpm/rpmdb.sqlite', 160 * MIB],
  ['var/lib/rpm/Packages', 256 * MIB],
]);

/** rpm databases in formats bulkhead does not read (ndb): noted so the scan can say so. */
export const UNSUPPORTED_RPM_DBS = ['usr/lib/sysimage/rpm/Packages.db', 'var/lib/rpm/Packages.db'] as const;

const SECRET_BASENAMES = new Set([
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.pgpass',
  '.s3cfg',
]);
const SECRET_EXTENSIONS = new Set(['.pem', '.key', '.p8']);
const SECRET_SUFFIX_PATHS = [
  '.aws/credentials',
  '.docker/config.json',
  '.kube/config',
  '.config/gcloud/credentials.db',
];

const TEST_DIRS = new Set([
  'test',
  'tests',
  'testdata',
  'test-data',
  'testing',
  '__tests__',
  'fixtures',
  'certdata',
]);

/** Returns what to capture for a regular file at this root-relative path, or undefined to skip its content. */
export function capturePolicy(path: string): CapturePolicy | undefined {
  if (OS_FILES.has(path)) return { kind: 'os-release', maxBytes: 64 * 1024 };
  // Red Hat content manifests name the repositories (content sets) the image's packages came from
  if (isContentSetPath(path)) return { kind: 'os-release', maxBytes: 1024 * 1024 };
  const db = PACKAGE_DBS.get(path);
  if (db !== undefined) return { kind: 'package-db', maxBytes: db };
  if (path.startsWith('var/lib/dpkg/status.d/')) {
    // distroless keeps one stanza per file here, with md5sums files beside them (GoogleContainerTools/distroless).
    const base = path.slice('var/lib/dpkg/status.d/'.length);
    if (base.includes('/') || base.endsWith('.md5sums')) return undefined;
    return { kind: 'package-db', maxBytes: 4 * MIB };
  }
  if (path === 'etc/passwd') return { kind: 'passwd', maxBytes: 4 * MIB };
  const base = posix.basename(path);
  // Like Trivy's built-in secret allow rules: language runtimes and libraries ship test keys in test directories.
  if (path.split('/').some((dir) => TEST_DIRS.has(dir))) return undefined;
  if (
    SECRET_BASENAMES.has(base) ||
    SECRET_EXTENSIONS.has(posix.extname(base)) ||
    /^ssh_host_[a-z0-9]+_key$/.test(base) ||
    SECRET_SUFFIX_PATHS.some((suffix) => path === suffix || path.endsWith(`/${suffix}`))
  ) {
    return { kind: 'secret-candidate', maxBytes: 256 * 1024 };
  }
  return undefined;
}

/**
 * One memory budget per scan, shared by every layer of one image (issue 9: 8,000 256 KiB .pem files in a 2.3 MB
 * archive once drove the process to 4.3 GB). Secret candidates get a smaller share so a flood of key-named files
 * cannot starve the package databases; a package database that does not fit is not read, and the scan says so.
 */
export interface CaptureBudget {
  readonly limit: number;
  readonly secretLimit: number;
  used: number;
  secretUsed: number;
}

export const SCAN_CAPTURE_LIMIT = 384 * MIB;
export const SECRET_CAPTURE_LIMIT = 32 * MIB;

export function newCaptureBudget(
  limit: number = SCAN_CAPTURE_LIMIT,
  secretLimit: number = SECRET_CAPTURE_LIMIT,
): CaptureBudget {
  return { limit, secretLimit, used: 0, secretUsed: 0 };
}

/** Reserves `bytes` for a captured file of this kind; a reason when the budget cannot hold it. */
export function reserveCapture(budget: CaptureBudget, kind: CaptureKind, bytes: number): string | undefined {
  if (kind === 'secret-candidate' && budget.secretUsed + bytes > budget.secretLimit)
    return `the scan's ${budget.secretLimit}-byte budget for secret-candidate files is spent`;
  if (budget.used + bytes > budget.limit)
    return `the scan's ${budget.limit}-byte memory budget for captured files is spent`;
  budget.used += bytes;
  if (kind === 'secret-candidate') budget.secretUsed += bytes;
  return undefined;
}

export function isUnsupportedRpmDb(path: string): boolean {
  return (UNSUPPORTED_RPM_DBS as readonly string[]).includes(path);
}
