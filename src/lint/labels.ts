// Label checks shared by the label-schema rules (hadolint DL3048-DL3058): key syntax and value formats.
import type { LabelKind } from './rule.js';

/** Docker's recommendation: lowercase alphanumerics, dots and dashes; reverse-DNS prefixes; no reserved prefixes. */
export function invalidLabelKey(key: string): string | undefined {
  // Docker's guideline: keys begin with a letter (https://docs.docker.com/engine/manage-resources/labels/).
  if (!/^[a-z]([a-z0-9._-]*[a-z0-9])?$/i.test(key))
    return 'must start with a letter, end with a letter or digit and contain only letters, digits, ".", "-" and "_"';
  if (/\.\.|--/.test(key)) return 'must not contain consecutive "." or "-"';
  if (/^(com\.docker|io\.docker|org\.dockerproject)\./.test(key)) return 'uses a prefix reserved by Docker';
  return undefined;
}

const SPDX = /^(\(?[A-Za-z0-9.+-]+\)?)(\s+(AND|OR|WITH)\s+\(?[A-Za-z0-9.+-]+\)?)*$/;

export function labelValueProblem(kind: LabelKind, value: string): string | undefined {
  if (value.includes('$')) return undefined;
  switch (kind) {
    case 'text':
      return value.trim() === '' ? 'is empty' : undefined;
    case 'url':
      return URL.canParse(value) && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? undefined : 'is not a URL';
    case 'email':
      return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value) || /<[^\s@<>]+@[^\s@<>]+>$/.test(value)
        ? undefined
        : 'is not an email address';
    case 'semver':
      return /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(value)
        ? undefined
        : 'is not a semantic version';
    case 'rfc3339':
      return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? undefined
        : 'is not an RFC 3339 timestamp';
    case 'hash':
      return /^[0-9a-f]{7,40}$|^[0-9a-f]{64}$/.test(value) ? undefined : 'is not a git commit hash';
    case 'spdx':
      return SPDX.test(value) ? undefined : 'is not an SPDX license expression';
    default:
      return kind satisfies never;
  }
}
