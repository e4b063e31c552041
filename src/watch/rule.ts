// The watch rule family in the shared rule model (src/shared/rule.ts): each rule reads one exec or open seen in
// a container (already attributed, with its profile verdict) and returns a message when it fires.
import type { Rule, RuleCase } from '../shared/rule.js';

/** What the rules see of one exec (or, for the runtime-binary guard, one open). */
export interface ExecFacts {
  readonly kind: 'exec' | 'open';
  /** A container's exec (judged by its image profile) or a host process's (watch --host, the host profile). */
  readonly scope: 'container' | 'host';
  /** Host execs: the package that owns the file and whether it matches the package's digest (undefined: none recorded). */
  readonly hostPackage: { readonly name: string; readonly verified: boolean | undefined } | undefined;
  /** The path as invoked (execve's filename) or the file opened. */
  readonly path: string;
  /** The file executed, after symlinks. */
  readonly exe: string;
  readonly argv: readonly string[];
  readonly uid: number;
  /** The process has a controlling terminal. */
  readonly tty: boolean;
  /** The executed file has the setuid or setgid bit. */
  readonly setid: boolean;
  /** The file's inode lives in the container's upper layer (created or modified in the container). */
  readonly drift: boolean;
  readonly parent: string | undefined;
  /**
   * undefined: no enforced profile for the image (host: no promoted host profile); else whether the exec is in it
   * (host: listed with the sha256 the file has now).
   */
  readonly inProfile: boolean | undefined;
  /** The verdict thread denied an open of a runtime binary from a container cgroup. */
  readonly guardHit: boolean;
  /** Mount destinations of the container's volumes and bind mounts. */
  readonly volumes: readonly string[];
  /** The image's declared USER ('' = none, i.e. root). */
  readonly imageUser: string;
}

/** A case row: facts that differ from a plain in-profile exec of /bin/true, and whether the rule fires. */
export type WatchCase = RuleCase<Partial<ExecFacts>, boolean>;

export type WatchRule = Rule<ExecFacts, string | undefined, readonly WatchCase[]>;

export const BASE_FACTS: ExecFacts = {
  kind: 'exec',
  scope: 'container',
  hostPackage: undefined,
  path: '/bin/true',
  exe: '/bin/true',
  argv: ['/bin/true'],
  uid: 0,
  tty: false,
  setid: false,
  drift: false,
  parent: '/bin/sh',
  inProfile: true,
  guardHit: false,
  volumes: [],
  imageUser: '',
};

export function docsUrl(id: string): string {
  return `docs/rules/watch.md#${id.toLowerCase()}`;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
