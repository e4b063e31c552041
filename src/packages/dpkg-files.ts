// Reads dpkg's per-package file records (dpkg(1) "FILES": /var/lib/dpkg/info/<pkg>[:<arch>].list, one absolute path
// per line, and <pkg>.md5sums, "<32 hex md5>  <path without the leading slash>" per line as dh_md5sums writes them):
// which package owns a file and the md5 dpkg recorded for it, for host application control (watch --host). Readers
// take text (the caller reads the files); a bad line is skipped and counted, never fatal.

/** Longer lines cannot be a path (PATH_MAX 4096 plus the md5 and separators): a corrupt or hostile file. */
export const MAX_RECORD_LINE = 4096 + 40;
/** At most this many warnings are kept per file; the rest are only counted. */
const MAX_WARNINGS = 20;

export interface FileRecordsResult {
  /** Absolute path -> md5 (lower-case hex). */
  readonly entries: Map<string, string>;
  /** Bad lines skipped. */
  readonly skipped: number;
  /** The first few skipped lines, "file:line: why". */
  readonly warnings: string[];
}

/** The package an info file describes: "libc6:amd64.md5sums" -> "libc6" (the arch qualifier of Multi-Arch: same). */
export function dpkgInfoPackage(fileName: string): { name: string; kind: 'list' | 'md5sums' } | undefined {
  const match = /^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\.(list|md5sums)$/.exec(fileName);
  if (match === null) return undefined;
  const [, name = '', kind = ''] = match;
  return { name, kind: kind === 'list' ? 'list' : 'md5sums' };
}

function* lines(text: string): Generator<{ line: string; no: number }> {
  let start = 0;
  let no = 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield { line: text.slice(start, end).replace(/\r$/, ''), no };
    start = end + 1;
    no += 1;
  }
}

function warner(source: string): {
  warn: (no: number, why: string) => void;
  result: () => { skipped: number; warnings: string[] };
} {
  let skipped = 0;
  const warnings: string[] = [];
  return {
    warn: (no, why) => {
      skipped += 1;
      if (warnings.length < MAX_WARNINGS) warnings.push(`${source}:${no}: ${why}, skipped`);
    },
    result: () => ({ skipped, warnings }),
  };
}

/** Parses an md5sums file: "d41d8cd98f00b204e9800998ecf8427e  usr/bin/x" (dpkg also accepts " *" binary mode). */
export function parseDpkgMd5sums(text: string, source: string): FileRecordsResult {
  const entries = new Map<string, string>();
  const w = warner(source);
  for (const { line, no } of lines(text)) {
    if (line === '') continue;
    if (line.length > MAX_RECORD_LINE) {
      w.warn(no, `line of ${line.length} characters`);
      continue;
    }
    const match = /^([0-9a-fA-F]{32}) [ *](.+)$/.exec(line);
    const path = match?.[2];
    if (match === null || path === undefined || path.includes('\0')) {
      w.warn(no, 'not "<md5>  <path>"');
      continue;
    }
    entries.set(path.startsWith('/') ? path : `/${path}`, (match[1] ?? '').toLowerCase());
  }
  return { entries, ...w.result() };
}

/** Parses a .list file: the package's paths, directories included (the caller keeps the regular files). */
export function parseDpkgList(
  text: string,
  source: string,
): { paths: string[]; skipped: number; warnings: string[] } {
  const paths: string[] = [];
  const w = warner(source);
  for (const { line, no } of lines(text)) {
    if (line === '' || line === '/.') continue;
    if (line.length > MAX_RECORD_LINE) w.warn(no, `line of ${line.length} characters`);
    else if (!line.startsWith('/') || line.includes('\0')) w.warn(no, 'not an absolute path');
    else paths.push(line);
  }
  return { paths, ...w.result() };
}
