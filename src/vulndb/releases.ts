// Release naming shared by importers and the detector: Debian numbers <-> codenames, Alpine branches.
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
  '15': 'duke',
};

/** "v3.19" / "3.19.1" / "edge" -> "3.19" / "edge"; undefined when it is not an Alpine branch. */
export function alpineBranch(text: string): string | undefined {
  const t = text.trim().replace(/^v/, '');
  if (t === 'edge') return 'edge';
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:_\w+)?$/.exec(t);
  return m === null ? undefined : `${m[1] ?? ''}.${m[2] ?? ''}`;
}
