// The network stage's view of watch's profile files (docs/net.md "Profiles"): it learns into the `network` section of
// `<hex>.learned.yaml` (a read-merge-write of that section only, under the file's lock, so the exec learner's section
// survives) and enforces the `network` section of the promoted `<hex>.yaml`, re-read when the file changes; a file
// that does not validate is reported with file:line:column and the last good section stays in force.
import { existsSync, statSync } from 'node:fs';
import { describeError } from '../shared/errors.js';
import {
  bareProfile,
  loadProfile,
  profileFile,
  updateProfileFile,
  withImageNames,
  type Profile,
} from '../watch/profile.js';
import { mergeSections, type NetworkSection } from './profile.js';

/** The enforced network section of one image, as the planner and the rules use it. */
export interface EnforcedNetwork {
  /** undefined: the image has no enforced profile, or its profile has no network section (nothing to enforce). */
  readonly section: NetworkSection | undefined;
  readonly version: number | undefined;
}

interface EnforcedState {
  mtimeMs: number;
  profile: Profile | undefined;
  /** The last load error of the file (the previous good profile stays in force). */
  error: string | undefined;
  /** Read (or found absent) at least once. */
  loaded?: boolean;
}

export interface ProfileRefresh {
  /** Images whose enforced network section (or profile version) changed since the last refresh. */
  readonly changed: ReadonlySet<string>;
  /** Files that stopped validating since the last refresh: "file:line:col: ..." and what stays in force. */
  readonly errors: readonly string[];
}

export class NetworkProfiles {
  private readonly enforced = new Map<string, EnforcedState>();
  private readonly learned = new Map<string, NetworkSection>();

  constructor(readonly dir: string) {}

  /** What is in force for an image (its last good enforced profile). */
  enforcedOf(digest: string): EnforcedNetwork {
    const profile = this.enforced.get(digest)?.profile;
    return { section: profile?.network, version: profile?.version };
  }

  /** The load error of an image's enforced file, while the file stays broken. */
  errorOf(digest: string): string | undefined {
    return this.enforced.get(digest)?.error;
  }

  /** Re-reads the enforced files of these images whose modification time changed. */
  refresh(digests: Iterable<string>): ProfileRefresh {
    const changed = new Set<string>();
    const errors: string[] = [];
    for (const digest of new Set(digests)) {
      let state = this.enforced.get(digest);
      if (state === undefined) {
        state = { mtimeMs: -1, profile: undefined, error: undefined };
        this.enforced.set(digest, state);
      }
      const file = profileFile(this.dir, digest, 'enforced');
      let mtimeMs: number;
      try {
        mtimeMs = statSync(file).mtimeMs;
      } catch {
        mtimeMs = 0; // no enforced profile (removed, or never promoted): nothing in force
      }
      if (mtimeMs === state.mtimeMs) continue;
      state.mtimeMs = mtimeMs;
      let next: Profile | undefined;
      try {
        next = mtimeMs === 0 ? undefined : loadProfile(file);
      } catch (error) {
        const message = describeError(error);
        if (message !== state.error)
          errors.push(
            `${message}\n  (${state.profile === undefined ? 'no network profile in force' : `version ${state.profile.version} stays in force`})`,
          );
        state.error = message;
        state.loaded = true;
        continue;
      }
      state.error = undefined;
      const before = JSON.stringify([state.profile?.version, state.profile?.network]);
      const first = state.loaded !== true;
      state.profile = next;
      state.loaded = true;
      // the first read of an image's profile is no change: its tables are being built from it anyway
      if (!first && JSON.stringify([next?.version, next?.network]) !== before) changed.add(digest);
    }
    return { changed, errors };
  }

  /**
   * The section learning continues from: what the learned file has (read once per image). A file that does not
   * validate is left alone: learning starts empty and the save reports the error until the file is fixed.
   */
  learnedOf(digest: string): { section: NetworkSection; error: string | undefined } {
    const known = this.learned.get(digest);
    if (known !== undefined) return { section: known, error: undefined };
    const file = profileFile(this.dir, digest, 'learned');
    let section: NetworkSection = { listening: [], outbound: [], inbound: [] };
    let error: string | undefined;
    try {
      if (existsSync(file)) section = mergeSections(loadProfile(file).network, undefined);
    } catch (e) {
      error = describeError(e);
    }
    this.learned.set(digest, section);
    return { section, error };
  }

  /**
   * Writes an image's learned section into its learned profile: under the file's lock, the file's network section
   * merged with this one (union, see mergeSections); the exec section and every other key stay as they are. A new
   * file has no exec section (a network-only profile judges no exec). Throws the file's InputError when it does
   * not parse (nothing is written then).
   */
  saveLearned(digest: string, names: readonly string[], section: NetworkSection): string {
    const file = profileFile(this.dir, digest, 'learned');
    const written = updateProfileFile(file, (current) => ({
      ...withImageNames(current ?? bareProfile(digest, names), names),
      network: mergeSections(current?.network, section),
    }));
    if (written?.network !== undefined) this.learned.set(digest, mergeSections(written.network, undefined));
    return file;
  }
}
