// Parses os-release (freedesktop.org os-release(5)): KEY=value lines, values optionally quoted with shell escapes.
import type { z } from 'zod';
import type { osReleaseSchema } from '../facts/host.js';

export type OsRelease = z.infer<typeof osReleaseSchema>;

export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match === null) continue;
    const [, key = '', rawValue = ''] = match;
    fields.set(key, unquote(rawValue));
  }
  const id = fields.get('ID');
  if (id === undefined || id === '') return undefined;
  const optional = (key: string): string | undefined => {
    const value = fields.get(key);
    return value === undefined || value === '' ? undefined : value;
  };
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

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\([\\$"`])/g, '$1') : inner;
  }
  return value;
}
