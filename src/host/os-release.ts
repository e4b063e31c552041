// The host's os-release(5) as a typed fact; the KEY=value parsing is the image scanner's (src/packages/os.ts).
import type { z } from 'zod';
import type { osReleaseSchema } from '../facts/host.js';
import { parseOsRelease } from '../packages/os.js';

export type OsRelease = z.infer<typeof osReleaseSchema>;

export function readOsRelease(text: string): OsRelease | undefined {
  const fields = parseOsRelease(text);
  const optional = (key: string): string | undefined => {
    const value = fields.get(key);
    return value === undefined || value === '' ? undefined : value;
  };
  const id = optional('ID');
  if (id === undefined) return undefined;
  const versionId = optional('VERSION_ID');
  const versionCodename = optional('VERSION_CODENAME');
  const prettyName = optional('PRETTY_NAME');
  return {
    id,
    ...(versionId === undefined ? {} : { versionId }),
    ...(versionCodename === undefined ? {} : { versionCodename }),
    ...(prettyName === undefined ? {} : { prettyName }),
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
  };
}
