// Reads dpkg's database (deb-control(5) stanzas in var/lib/dpkg/status, and distroless's one-stanza files in
// var/lib/dpkg/status.d/): installed binary packages with their source package and source version. A binNMU
// records "Source: name (version)" because its binary version differs from the source's (Debian Policy 5.6.1).
// Readers never compare versions (DESIGN.md); a stanza without a usable name or version is skipped and counted.
import type { InstalledPackage } from './types.js';

export interface ReadResult {
  readonly packages: InstalledPackage[];
  /** One line per skipped record ("var/lib/dpkg/status:120: stanza has no Version, skipped"). */
  readonly warnings: string[];
}

export interface Stanza {
  readonly line: number;
  readonly fields: Map<string, string>;
}

/** Splits a deb-control file into stanzas of fields (field names case-insensitive, continuation lines folded). */
export function parseControlStanzas(text: string): { stanzas: Stanza[]; warnings: string[] } {
  const stanzas: Stanza[] = [];
  const warnings: string[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  let last: string | undefined;
  const lines = text.split('\n');
  const flush = (): void => {
    if (fields.size > 0) stanzas.push({ line: start, fields });
    fields = new Map();
    last = undefined;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (fields.size === 0 && last === undefined) start = i + 1;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined) {
        warnings.push(`line ${i + 1}: continuation line outside a field, ignored`);
        continue;
      }
      fields.set(last, `${fields.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      warnings.push(`line ${i + 1}: not a "Field: value" line, ignored`);
      continue;
    }
    last = line.slice(0, colon).trim().toLowerCase();
    fields.set(last, line.slice(colon + 1).trim());
  }
  flush();
  return { stanzas, warnings };
}

// deb-version(7): [epoch:]upstream[-revision]; upstream starts with a digit and uses [A-Za-z0-9.+~-] (and ":" only
// with an epoch); the revision uses [A-Za-z0-9.+~]. Anything else is a broken record, not a version to guess at.
const DEB_VERSION = /^(?:(\d+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

export function isDebVersion(version: string): boolean {
  const match = DEB_VERSION.exec(version);
  if (match === null) return false;
  const [, epoch, upstream = ''] = match;
  return epoch !== undefined || !upstream.includes(':');
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** Parses "name" or "name (version)" from a Source field. */
export function parseSourceField(value: string): { name: string; version?: string } | undefined {
  const match = /^([^\s(]+)(?:\s*\(([^)]*)\))?$/.exec(value.trim());
  if (match === null) return undefined;
  const [, name = '', version] = match;
  return version === undefined ? { name } : { name, version: version.trim() };
}

/**
 * Reads one dpkg database file. `requireInstalled` is true for var/lib/dpkg/status, whose stanzas carry a Status
 * ("install ok installed"); status.d files have no Status field and describe installed packages.
 */
export function readDpkgDatabase(text: string, database: string, requireInstalled: boolean): ReadResult {
  const { stanzas, warnings: raw } = parseControlStanzas(text);
  const warnings = raw.map((w) => `${database}: ${w}`);
  const packages: InstalledPackage[] = [];
  for (const { line, fields } of stanzas) {
    const where = `${database}:${line}`;
    const name = fields.get('package');
    const version = fields.get('version');
    if (name === undefined || !PACKAGE_NAME.test(name)) {
      warnings.push(`${where}: stanza without a valid Package name, skipped`);
      continue;
    }
    const status = fields.get('status');
    if (requireInstalled) {
      // dpkg(1): the third word is the package state; only "installed" has files on disk (half-installed,
      // config-files and not-installed leave advisories moot or the state unknown).
      const state = status?.split(/\s+/)[2];
      if (status === undefined) {
        warnings.push(`${where}: package ${name} has no Status, skipped`);
        continue;
      }
      if (state !== 'installed') continue;
    }
    if (version === undefined || !isDebVersion(version)) {
      warnings.push(
        `${where}: package ${name} has ${version === undefined ? 'no Version' : `an invalid Version "${version}"`}, skipped`,
      );
      continue;
    }
    let sourceName = name;
    let sourceVersion = version;
    const sourceField = fields.get('source');
    if (sourceField !== undefined) {
      const source = parseSourceField(sourceField);
      if (source === undefined || !PACKAGE_NAME.test(source.name)) {
        warnings.push(`${where}: package ${name} has an invalid Source "${sourceField}", skipped`);
        continue;
      }
      if (source.version !== undefined && !isDebVersion(source.version)) {
        warnings.push(`${where}: package ${name} has an invalid source version "${source.version}", skipped`);
        continue;
      }
      sourceName = source.name;
      sourceVersion = source.version ?? version;
    }
    const arch = fields.get('architecture');
    packages.push({
      format: 'dpkg',
      name,
      version,
      ...(arch === undefined ? {} : { arch }),
      sourceName,
      sourceVersion,
      database,
    });
  }
  return { packages, warnings };
}
