// One-time migration of the network stage's old separate files `PROFILES/network/<digest>.yaml` (before the network
// section moved into watch's profile file) into the matching watch profiles; docs/net.md "Profiles". Nothing is
// deleted: a migrated file is renamed to `<file>.migrated`, a file that does not validate is reported with
// file:line:column and left where it is.
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeError, InputError } from '../shared/errors.js';
import { parseYaml } from '../shared/yaml.js';
import {
  bareProfile,
  profileFile,
  updateProfileFile,
  withImageNames,
  type Profile,
} from '../watch/profile.js';
import { mergeSections, networkSectionSchema, type NetworkSection } from './profile.js';

/** The folder of the old layout inside a profile directory. */
export const LEGACY_NETWORK_DIR = 'network';

/** The old file: the image id the section was learned for, its name, the section. */
const legacySchema = z
  .object({
    image: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be the image id sha256:<64 hex>'),
    imageName: z.string().optional(),
    network: networkSectionSchema,
  })
  .strict();

export type MigrationOutcome =
  | {
      readonly ok: true;
      readonly file: string;
      readonly digest: string;
      /** The watch profiles the section was merged into (learned, then enforced). */
      readonly into: readonly string[];
      readonly renamedTo: string;
    }
  | { readonly ok: false; readonly file: string; readonly message: string };

function parseLegacy(text: string, source: string): z.infer<typeof legacySchema> {
  const yaml = parseYaml(text, source, { hint: 'fix the file; it is migrated on the next start' });
  const result = legacySchema.safeParse(yaml.doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  throw new InputError(
    source,
    `old network profile does not validate: ${path.join('.') || '(document)'}: ${issue?.message ?? 'invalid'}`,
    {
      position: yaml.positionOf(path),
      hint: 'fix it (docs/net.md "Profiles" has the schema); it is migrated on the next start and left as it is until then',
    },
  );
}

/** `<file>.migrated`, or `.migrated.2`, `.3`, … when an earlier migration left one (it is never overwritten). */
function freeName(file: string): string {
  let name = `${file}.migrated`;
  for (let n = 2; existsSync(name); n += 1) name = `${file}.migrated.${n}`;
  return name;
}

const sameSection = (a: NetworkSection | undefined, b: NetworkSection): boolean =>
  a !== undefined && JSON.stringify(mergeSections(a, undefined)) === JSON.stringify(b);

/**
 * Merges every `<dir>/<digest>.yaml` of the old layout into the image's watch profiles in `profilesDir` (created
 * when there is none) and renames it. The old stage enforced what it learned from that one file, so its section goes
 * into the learned profile and into the enforced one (the next version of it when that changes), keeping deny mode
 * as it was; both merges are unions, so a migration interrupted before the rename is harmless when repeated.
 */
export function migrateLegacyNetworkProfiles(
  profilesDir: string,
  legacyDirs: readonly string[] = [join(profilesDir, LEGACY_NETWORK_DIR)],
): MigrationOutcome[] {
  const outcomes: MigrationOutcome[] = [];
  for (const dir of legacyDirs) {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort();
    } catch {
      continue; // no old layout here
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        const legacy = parseLegacy(readFileSync(file, 'utf8'), file);
        const imageNames = legacy.imageName === undefined ? [] : [legacy.imageName];
        const merge = (current: Profile | undefined, bump: boolean): Profile | undefined => {
          const network = mergeSections(current?.network, legacy.network);
          if (current !== undefined && sameSection(current.network, network)) return undefined;
          const base = withImageNames(current ?? bareProfile(legacy.image, imageNames), imageNames);
          return {
            ...base,
            version: bump && current !== undefined ? current.version + 1 : base.version,
            network,
          };
        };
        const learned = profileFile(profilesDir, legacy.image, 'learned');
        const enforced = profileFile(profilesDir, legacy.image, 'enforced');
        updateProfileFile(learned, (current) => merge(current, false));
        updateProfileFile(enforced, (current) => merge(current, true));
        let renamedTo = freeName(file);
        try {
          renameSync(file, renamedTo);
        } catch (error) {
          // another start migrated it at the same time (the merges are unions: nothing doubled)
          if (existsSync(file)) throw error;
          renamedTo = '(renamed by another bulkhead)';
        }
        outcomes.push({ ok: true, file, digest: legacy.image, into: [learned, enforced], renamedTo });
      } catch (error) {
        outcomes.push({ ok: false, file, message: describeError(error) });
      }
    }
  }
  return outcomes;
}
