// `bulkhead scan --list-packages`: the installed packages of a scanned artifact, as tab-separated lines (name,
// version, source name, source version, layer index or "-") or as the scan's JSON artifact block (docs/scan.md).

/** What the package list shows of one installed package (packages/types.ts InstalledPackage has these fields). */
export interface PackageRow {
  readonly name: string;
  readonly version: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly layer?: { readonly index: number } | undefined;
}

export function renderPackageList(
  packages: readonly PackageRow[],
  artifact: Readonly<Record<string, unknown>>,
  format: 'table' | 'json' | 'sarif',
): string {
  if (format === 'json') return `${JSON.stringify(artifact, null, 2)}\n`;
  return packages
    .map(
      (p) =>
        `${p.name}\t${p.version}\t${p.sourceName}\t${p.sourceVersion}\t${p.layer === undefined ? '-' : String(p.layer.index)}\n`,
    )
    .join('');
}
