// The audit config file (YAML, validated with zod): trusted registries, waivers (rule id + optional target glob
// + reason + optional expiry) and severity overrides. Errors name the file, line and column, and the fix.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BulkheadError, errnoCode } from '../shared/errors.js';
import { severitySchema, type Severity } from '../shared/severity.js';
import { parseYaml } from '../shared/yaml.js';
import type { AuditRule, ListenerAllow } from './rule.js';
import type { Waiver } from './run.js';

export class AuditConfigError extends BulkheadError {
  /** "line:column" of the offending node, when known. */
  readonly position: string | undefined;
  constructor(
    path: string,
    message: string,
    options: { position?: string | undefined; hint?: string; cause?: unknown } = {},
  ) {
    const { position, hint, cause } = options;
    super('CONFIG_INVALID', `${path}${position === undefined ? '' : `:${position}`}: ${message}`, {
      subject: path,
      hint: hint ?? 'see docs/audit.md "Config file" for the format',
      cause,
    });
    this.position = position;
  }
}

const ruleId = z.string().regex(/^BH-[HDFCI]-\d{3}$/i, 'a rule id such as BH-C-004');

export const auditConfigSchema = z.strictObject({
  trustedRegistries: z.array(z.string().min(1)).default([]),
  waivers: z
    .array(
      z.strictObject({
        rule: ruleId,
        target: z.string().min(1).optional(),
        reason: z.string().min(1, 'a waiver needs a reason'),
        expires: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
          .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a valid date')
          .optional(),
      }),
    )
    .default([]),
  severity: z.record(ruleId, severitySchema).default({}),
  hostListeners: z
    .strictObject({
      allow: z
        .array(
          z
            .strictObject({
              process: z.string().min(1).optional(),
              port: z.number().int().min(1).max(65535).optional(),
              reason: z.string().min(1, 'an allowed listener needs a reason'),
            })
            .refine((a) => a.process !== undefined || a.port !== undefined, 'name a process, a port or both'),
        )
        .default([]),
    })
    .default({ allow: [] }),
});

export interface AuditConfig {
  readonly trustedRegistries: readonly string[];
  readonly waivers: readonly Waiver[];
  readonly severity: Readonly<Record<string, Severity>>;
  readonly allowedListeners: readonly ListenerAllow[];
}

export const EMPTY_CONFIG: AuditConfig = {
  trustedRegistries: [],
  waivers: [],
  severity: {},
  allowedListeners: [],
};

/** Parses config text; `rules` lets unknown rule ids be reported with their line. */
export function parseAuditConfig(text: string, path: string, rules: readonly AuditRule[]): AuditConfig {
  const { doc, positionOf } = parseYaml(text, path, {
    uniqueKeys: false,
    syntaxError: (message, position) => new AuditConfigError(path, message, { position }),
  });
  const raw: unknown = doc.toJS() ?? {};
  const parsed = auditConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const issuePath = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
    const where = issuePath.length === 0 ? '' : `${issuePath.join('.')}: `;
    throw new AuditConfigError(path, `${where}${issue?.message ?? 'invalid'}`, {
      position: positionOf(issuePath),
    });
  }
  const config = parsed.data;
  // a rule's former ids (BH-I-001, now BH-IMG-001) stay valid in waivers and overrides: they map to the id
  const known = new Map<string, string>();
  for (const { meta } of rules) {
    known.set(meta.id, meta.id);
    for (const alias of meta.aliases) if (!alias.startsWith('CIS-')) known.set(alias.toUpperCase(), meta.id);
  }
  const canonical = (id: string): string => known.get(id.toUpperCase()) ?? id.toUpperCase();
  const check = (id: string, pathParts: (string | number)[]): void => {
    if (known.has(id.toUpperCase())) return;
    throw new AuditConfigError(path, `unknown rule ${id}`, {
      position: positionOf(pathParts),
      hint: 'use an id listed in docs/rules/audit.md',
    });
  };
  config.waivers.forEach((w, i) => {
    check(w.rule, ['waivers', i, 'rule']);
  });
  for (const id of Object.keys(config.severity)) check(id, ['severity']);
  return {
    trustedRegistries: config.trustedRegistries,
    allowedListeners: config.hostListeners.allow.map((a) => ({
      reason: a.reason,
      ...(a.process === undefined ? {} : { process: a.process }),
      ...(a.port === undefined ? {} : { port: a.port }),
    })),
    waivers: config.waivers.map((w) => ({ ...w, rule: canonical(w.rule) })),
    severity: Object.fromEntries(Object.entries(config.severity).map(([k, v]) => [canonical(k), v])),
  };
}

export function loadAuditConfig(path: string, rules: readonly AuditRule[]): AuditConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuditConfigError(path, `cannot read the config file (${errnoCode(error) ?? 'error'})`, {
      hint: 'check the --config path',
      cause: error,
    });
  }
  return parseAuditConfig(text, path, rules);
}
