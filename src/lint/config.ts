// The lint config file (YAML or JSON): ignored rules, severity overrides, trusted registries, label schema. Also
// reads every key of hadolint's .hadolint.yaml (hadolint README "Configure" and src/Hadolint/Config/Configuration.hs:
// ignored, override, trustedRegistries / trusted-registries, label-schema, strict-labels, failure-threshold, no-fail,
// disable-ignore-pragma, no-color, verbose, format / output-format) so an existing config means what it meant.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { severitySchema, type Severity } from '../shared/severity.js';
import { readTextInput } from '../shared/files.js';
import { parseYaml } from '../shared/yaml.js';
import { LABEL_KINDS, type LabelKind } from './rule.js';

export interface LintConfig {
  readonly ignore: readonly string[];
  readonly severity: Readonly<Record<string, Severity>>;
  readonly trustedRegistries: readonly string[];
  readonly labelSchema: Readonly<Record<string, LabelKind>>;
  readonly failOn: Severity | undefined;
  readonly shellcheck: boolean | undefined;
  /** Findings never fail the run (hadolint `no-fail: true`, `failure-threshold: none|ignore`); a `--fail-on` flag wins. */
  readonly noFail: boolean;
  /** Labels outside `labelSchema` are findings (hadolint `strict-labels`, DL3050). */
  readonly strictLabels: boolean;
  /** Inline `# hadolint ignore=` / `# bulkhead ignore=` comments are not honoured (hadolint `disable-ignore-pragma`). */
  readonly disableIgnorePragma: boolean;
  /** false: no colour in the table (hadolint `no-color: true`); undefined: the terminal decides. */
  readonly color: boolean | undefined;
  /** The output format when -f is not given (hadolint `format: tty|sarif`, the formats that mean the same here). */
  readonly format: 'table' | 'sarif' | undefined;
  /** Config keys read but not applied, each with the reason (said on stderr). */
  readonly notes: readonly string[];
}

export const EMPTY_CONFIG: LintConfig = {
  ignore: [],
  severity: {},
  trustedRegistries: [],
  labelSchema: {},
  failOn: undefined,
  shellcheck: undefined,
  noFail: false,
  strictLabels: false,
  disableIgnorePragma: false,
  color: undefined,
  format: undefined,
  notes: [],
};

/** hadolint severities mapped onto bulkhead's. */
const HADOLINT_SEVERITY: Readonly<Record<string, Severity>> = {
  error: 'high',
  warning: 'medium',
  info: 'low',
  style: 'info',
};

const hadolintLevel = z.enum(['error', 'warning', 'info', 'style', 'ignore', 'none']);
// one string is a list of one (a preprocess, not a union, so a bad list item is still reported at its own line)
const registryList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().min(1)));

/** hadolint output formats that bulkhead's -f has under the same meaning; the others differ in shape. */
const HADOLINT_FORMATS: Readonly<Record<string, 'table' | 'sarif'>> = { tty: 'table', sarif: 'sarif' };

const configSchema = z
  .object({
    ignore: z.array(z.string().min(1)).optional(),
    severity: z.record(z.string().min(1), severitySchema).optional(),
    trustedRegistries: registryList.optional(),
    labelSchema: z.record(z.string().min(1), z.enum(LABEL_KINDS)).optional(),
    failOn: severitySchema.optional(),
    shellcheck: z.boolean().optional(),
    // hadolint's keys
    ignored: z.array(z.string().min(1)).optional(),
    override: z
      .object({
        error: z.array(z.string()).optional(),
        warning: z.array(z.string()).optional(),
        info: z.array(z.string()).optional(),
        style: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    'label-schema': z.record(z.string().min(1), z.enum(LABEL_KINDS)).optional(),
    'strict-labels': z.boolean().optional(),
    'failure-threshold': hadolintLevel.optional(),
    'no-fail': z.boolean().optional(),
    'disable-ignore-pragma': z.boolean().optional(),
    'no-color': z.boolean().optional(),
    verbose: z.boolean().optional(),
    // hadolint's README: `trustedRegistries: string | [string]`; hadolint 2.12+ also reads `trusted-registries`
    'trusted-registries': registryList.optional(),
    format: z.string().optional(),
    'output-format': z.string().optional(),
  })
  .strict();

type RawConfig = z.infer<typeof configSchema>;

function normalise(raw: RawConfig): LintConfig {
  const severity: Record<string, Severity> = {};
  for (const [level, ids] of Object.entries(raw.override ?? {})) {
    const mapped = HADOLINT_SEVERITY[level];
    if (mapped !== undefined) for (const id of ids ?? []) severity[id] = mapped;
  }
  Object.assign(severity, raw.severity ?? {});
  const threshold = raw['failure-threshold'];
  // hadolint: `none`/`ignore` means no violation fails the run (its exit code is then 0 like with no-fail)
  const neverFail = threshold === 'none' || threshold === 'ignore';
  const hadolintFailOn = threshold === undefined || neverFail ? undefined : HADOLINT_SEVERITY[threshold];
  const notes: string[] = [];
  const hadolintFormat = raw['output-format'] ?? raw.format;
  const format = hadolintFormat === undefined ? undefined : HADOLINT_FORMATS[hadolintFormat];
  if (hadolintFormat !== undefined && format === undefined)
    notes.push(
      `format: ${hadolintFormat} not applied: hadolint's ${hadolintFormat} output has no bulkhead equivalent (bulkhead's JSON is not hadolint's); choose one with -f`,
    );
  return {
    ignore: [...(raw.ignore ?? []), ...(raw.ignored ?? [])],
    severity,
    trustedRegistries: [...(raw.trustedRegistries ?? []), ...(raw['trusted-registries'] ?? [])],
    labelSchema: { ...(raw['label-schema'] ?? {}), ...(raw.labelSchema ?? {}) },
    failOn: raw.failOn ?? hadolintFailOn,
    shellcheck: raw.shellcheck,
    noFail: raw['no-fail'] === true || (neverFail && raw.failOn === undefined),
    strictLabels: raw['strict-labels'] ?? false,
    disableIgnorePragma: raw['disable-ignore-pragma'] ?? false,
    color: raw['no-color'] === true ? false : undefined,
    format,
    notes,
  };
}

/** Parses config text; errors name the file and the line:column of the offending value. */
export function parseLintConfig(text: string, path: string): LintConfig {
  const { doc, positionOf, keyPositionOf } = parseYaml(text, path, {
    uniqueKeys: false,
    hint: 'fix the YAML syntax (JSON is accepted too)',
  });
  const value: unknown = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path0 = (issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
    // Unknown keys are reported on the map that holds them; point at the key itself when possible.
    const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const position =
      (unknownKey === undefined ? undefined : keyPositionOf(path0, unknownKey)) ?? positionOf(path0) ?? '1:1';
    const where = path0.length === 0 ? '' : `${path0.join('.')}: `;
    throw new InputError(path, `${where}${issue?.message ?? 'invalid config'}`, {
      position,
      hint: 'see docs/lint.md for the config keys (ignore, severity, trustedRegistries, labelSchema, failOn, shellcheck)',
    });
  }
  return normalise(parsed.data);
}

export function loadLintConfig(path: string): LintConfig {
  return parseLintConfig(
    readTextInput(path, 'lint config', 'check the --config path and its permissions'),
    path,
  );
}

/** Combines config and flags: flags add to lists, and flag values win over config values. */
export function mergeConfig(
  base: LintConfig,
  flags: { ignore: readonly string[]; trustedRegistries: readonly string[] },
): LintConfig {
  return {
    ...base,
    ignore: [...base.ignore, ...flags.ignore],
    trustedRegistries: [...base.trustedRegistries, ...flags.trustedRegistries],
  };
}

/** Where the config in use came from, as `bulkhead lint` reports it. */
export interface FoundConfig {
  readonly path: string;
  /** `--config`, the working directory, or one of hadolint's user-wide locations. */
  readonly source: 'flag' | 'working directory' | 'XDG config directory' | 'home directory';
}

/** bulkhead's own config names, looked for in the working directory first. */
export const BULKHEAD_CONFIG_NAMES = ['.bulkhead-lint.yaml', '.bulkhead-lint.yml'] as const;

/**
 * The config file to use when --config is not given: bulkhead's own file in the working directory, else the first
 * of hadolint's locations, in hadolint's order (src/Hadolint/Config/Configfile.hs `findConfig`):
 * `./.hadolint.{yaml,yml}`, `$XDG_CONFIG_HOME/hadolint.{yaml,yml}` ($XDG_CONFIG_HOME defaults to ~/.config),
 * `~/.hadolint/{hadolint,config}.{yaml,yml}`, `~/.hadolint.{yaml,yml}`. A relative XDG_CONFIG_HOME is ignored, as
 * the XDG base directory specification requires.
 */
export function findLintConfig(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): FoundConfig | undefined {
  const home = env['HOME'] ?? '';
  const xdgEnv = env['XDG_CONFIG_HOME'] ?? '';
  const xdg = xdgEnv !== '' && isAbsolute(xdgEnv) ? xdgEnv : home === '' ? '' : join(home, '.config');
  const candidates: FoundConfig[] = [
    ...BULKHEAD_CONFIG_NAMES.map((n) => ({ path: join(cwd, n), source: 'working directory' as const })),
    ...['.hadolint.yaml', '.hadolint.yml'].map((n) => ({
      path: join(cwd, n),
      source: 'working directory' as const,
    })),
  ];
  if (xdg !== '')
    candidates.push(
      ...['hadolint.yaml', 'hadolint.yml'].map((n) => ({
        path: join(xdg, n),
        source: 'XDG config directory' as const,
      })),
    );
  if (home !== '')
    candidates.push(
      ...['hadolint.yaml', 'hadolint.yml', 'config.yaml', 'config.yml'].map((n) => ({
        path: join(home, '.hadolint', n),
        source: 'home directory' as const,
      })),
      ...['.hadolint.yaml', '.hadolint.yml'].map((n) => ({
        path: join(home, n),
        source: 'home directory' as const,
      })),
    );
  return candidates.find((c) => existsSync(c.path) && statSync(c.path).isFile());
}
