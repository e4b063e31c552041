// Validates image configuration JSON (OCI image-spec "Image Configuration", which Docker's image JSON extends) and
// pairs history entries with layers: entries marked empty_layer made no filesystem change and own no layer.
import { z } from 'zod';
import type { LayerRef } from '../shared/finding.js';
import { redactSecrets } from './secrets.js';
import type { HistoryEntry, ImageConfigFacts } from './types.js';

const stringList = z.array(z.string()).nullish();

export const imageConfigSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  config: z
    .object({
      User: z.string().nullish(),
      Env: stringList,
      Cmd: stringList,
      Entrypoint: stringList,
      WorkingDir: z.string().nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string().regex(/^[a-z0-9]+:[a-f0-9]+$/)) }),
  history: z
    .array(
      z.object({
        created: z.string().optional(),
        created_by: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .nullish(),
});

export type ImageConfig = z.infer<typeof imageConfigSchema>;

export function configFacts(config: ImageConfig): ImageConfigFacts {
  const c = config.config;
  return {
    user: c?.User ?? '',
    env: c?.Env ?? [],
    cmd: c?.Cmd ?? [],
    entrypoint: c?.Entrypoint ?? [],
    workingDir: c?.WorkingDir ?? '',
    labels: c?.Labels ?? {},
    exposedPorts: Object.keys(c?.ExposedPorts ?? {}),
  };
}

export function historyFacts(config: ImageConfig): HistoryEntry[] {
  return (config.history ?? []).map((h) => ({
    ...(h.created === undefined ? {} : { created: h.created }),
    ...(h.created_by === undefined ? {} : { createdBy: h.created_by }),
    ...(h.comment === undefined ? {} : { comment: h.comment }),
    emptyLayer: h.empty_layer === true,
  }));
}

/** LayerRefs for the config's diff_ids, each with the created_by of the non-empty history entry at its position. */
export function layerRefs(config: ImageConfig): LayerRef[] {
  const nonEmpty = (config.history ?? []).filter((h) => h.empty_layer !== true);
  // When history and layers disagree in number (hand-made images), pairing by position would lie: drop created_by.
  const paired = nonEmpty.length === config.rootfs.diff_ids.length;
  return config.rootfs.diff_ids.map((digest, index) => {
    const raw = paired ? nonEmpty[index]?.created_by : undefined;
    // Layer refs end up in reports and CI logs: secrets the history leaks are masked there (rules see the raw history).
    const createdBy = raw === undefined ? undefined : redactSecrets(raw);
    return { index, digest, ...(createdBy === undefined ? {} : { createdBy }) };
  });
}
