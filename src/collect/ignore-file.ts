// Reads scan ignore files into the rules src/detect/filter.ts applies (the detector never reads files):
// bulkhead's .bulkheadignore.yaml (entries with id, optional package, optional expires: YYYY-MM-DD, optional
// reason) and Trivy's plain .trivyignore (one id a line, "#" comments, optional "exp:YYYY-MM-DD").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { IgnoreRule, IgnoreRules } from '../detect/filter.js';
import { InputError } from '../shared/errors.js';
import { readTextInput } from '../shared/files.js';
import { parseYaml } from '../shared/yaml.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

const entrySchema = z.object({
  id: z.string().trim().min(1).max(200),
  package: z.string().trim().min(1).max(200).optional(),
  expires: z
    .string()
    .trim()
    .refine(isRealDate, { message: 'expires must be a date written YYYY-MM-DD' })
    .optional(),
  reason: z.string().max(2000).optional(),
});

const PLAIN_LINE = /^([A-Za-z][A-Za-z0-9_.-]*)(?:\s+exp:(\S+))?\s*$/;

function parsePlain(text: string, path: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = PLAIN_LINE.exec(line);
    const id = m?.[1];
    if (m === null || id === undefined)
      throw new InputError(path, `expected "ID [exp:YYYY-MM-DD]"`, { position: `${index + 1}:1` });
    const expires = m[2];
    if (expires !== undefined && !isRealDate(expires)) {
      throw new InputError(path, `exp:${expires} is not a date written YYYY-MM-DD`, {
        position: `${index + 1}:1`,
      });
    }
    rules.push({ id, line: index + 1, ...(expires === undefined ? {} : { expires }) });
  });
  return rules;
}

function looksPlain(text: string): boolean {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '')
    .every((l) => PLAIN_LINE.test(l));
}

function parseYamlRules(text: string, path: string): IgnoreRule[] {
  // failsafe: every scalar stays a string (an unquoted 2026-01-31 must not become a timestamp or a number)
  const { doc, positionOf } = parseYaml(text, path, { failsafe: true, uniqueKeys: false });
  const root: unknown = doc.toJS({ maxAliasCount: 50 });
  const list: unknown =
    Array.isArray(root) || root === null || root === undefined
      ? root
      : typeof root === 'object' && ('vulnerabilities' in root || 'ignore' in root)
        ? ((root as Record<string, unknown>)['vulnerabilities'] ??
          (root as Record<string, unknown>)['ignore'])
        : undefined;
  if (list === null || list === undefined || list === '') return [];
  // where the list sits: the document itself, or under vulnerabilities:/ignore:
  const listPath = Array.isArray(root)
    ? []
    : [
        (root as Record<string, unknown>)['vulnerabilities'] === undefined ||
        (root as Record<string, unknown>)['vulnerabilities'] === null
          ? 'ignore'
          : 'vulnerabilities',
      ];
  if (!Array.isArray(list)) {
    throw new InputError(path, 'expected a list of entries, or a "vulnerabilities:" key holding one', {
      hint: 'write entries as "- id: CVE-2024-1234" with optional package, expires (YYYY-MM-DD) and reason',
    });
  }
  return (list as unknown[]).map((raw, index) => {
    const entry: unknown = typeof raw === 'string' ? { id: raw } : raw;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        path,
        `entry ${index + 1}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.replace(
          /\s+/g,
          ' ',
        ),
        {
          hint: 'each entry needs an id; package, expires (YYYY-MM-DD) and reason are optional',
        },
      );
    }
    return {
      id: parsed.data.id,
      line: Number((positionOf([...listPath, index]) ?? '0').split(':')[0]),
      ...(parsed.data.package === undefined ? {} : { package: parsed.data.package }),
      ...(parsed.data.expires === undefined ? {} : { expires: parsed.data.expires }),
      ...(parsed.data.reason === undefined ? {} : { reason: parsed.data.reason }),
    };
  });
}

/** Parses ignore-file text (bulkhead YAML or Trivy's plain format, recognised by content). */
export function parseIgnoreRules(text: string, path: string): IgnoreRules {
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  return { source: path, rules: looksPlain(clean) ? parsePlain(clean, path) : parseYamlRules(clean, path) };
}

export function loadIgnoreFile(path: string): IgnoreRules {
  return parseIgnoreRules(readTextInput(path, 'ignore file', 'check the --ignore-file path'), path);
}

/** The ignore file that applies: the given path, else (like Trivy) one in `cwd`, else none. */
export function findIgnoreFile(path: string | undefined, cwd: string): IgnoreRules | undefined {
  if (path !== undefined) return loadIgnoreFile(path);
  for (const name of ['.bulkheadignore.yaml', '.trivyignore']) {
    const candidate = join(cwd, name);
    if (existsSync(candidate)) return loadIgnoreFile(candidate);
  }
  return undefined;
}
