// The one "does this user spec run as root?" predicate, parsing a Config.User / exec --user / Dockerfile USER value
// exactly as runc's libcontainer/user GetExecUser does (dockerd 20.10 calls it itself, daemon/oci_linux.go getUser):
// split on ':', the user part is a uid when Go's strconv.Atoi accepts it ("+0", "-0", "00" are uid 0), otherwise
// a name matched exactly (case-sensitive) against the image's /etc/passwd, first entry wins.

/** runc libcontainer/user: uids outside 0..MaxInt32 are refused (ErrRange), so such a user never runs. */
const MAX_ID = 2147483647;

/** Go's strconv.Atoi on a 64-bit build: optional sign, ASCII digits only, no spaces, within int64. */
export function goAtoi(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  const limit = 9223372036854775807n;
  return value > limit || value < -limit - 1n ? undefined : value;
}

export type UserSpec =
  /** "" (or ":group"): the image's USER, or root when it sets none (runc's default uid 0). */
  | { readonly kind: 'default'; readonly group: string }
  /** A number: always a uid, whatever /etc/passwd says. */
  | { readonly kind: 'uid'; readonly uid: number; readonly group: string }
  /** A name, looked up in /etc/passwd. */
  | { readonly kind: 'name'; readonly name: string; readonly group: string }
  /** A number runc refuses (outside 0..2^31-1): the process never starts. */
  | { readonly kind: 'invalid'; readonly reason: string };

/** Parses a user spec as runc parseLine + strconv.Atoi do ("user", "user:group", extra ':' fields ignored). */
export function parseUserSpec(spec: string): UserSpec {
  const [user = '', group = ''] = spec.split(':');
  if (user === '') return { kind: 'default', group };
  const n = goAtoi(user);
  if (n === undefined) return { kind: 'name', name: user, group };
  if (n < 0n || n > BigInt(MAX_ID))
    return { kind: 'invalid', reason: `uid ${user} is outside 0..${MAX_ID} (runc refuses it)` };
  return { kind: 'uid', uid: Number(n), group };
}

/**
 * The uid of `name` in /etc/passwd text, as runc's ParsePasswdFilter reads it: lines trimmed, first matching entry
 * wins, the uid field read with `*e, _ = strconv.Atoi(p)` — so a field Atoi cannot parse ("", "x") is uid 0.
 */
export function passwdUid(name: string, passwd: string): number | undefined {
  for (const raw of passwd.split('\n')) {
    const fields = raw.trim().split(':');
    if (fields[0] !== name) continue;
    const field = fields[2] ?? '';
    if (!/^[+-]?[0-9]+$/.test(field)) return 0;
    const uid = goAtoi(field);
    // an overflowing field is clamped by Atoi, never 0
    return uid === undefined ? MAX_ID + 1 : Number(uid);
  }
  return undefined;
}

export interface RootUserOptions {
  /** The image's /etc/passwd; when absent, only the name "root" is taken to be uid 0 (true of every base image). */
  readonly passwd?: string | undefined;
  /** Whether "" (the image's or daemon's default user) counts as root; authz and audit say yes. */
  readonly defaultIsRoot: boolean;
  /**
   * Also judge Windows containers: ContainerAdministrator is their administrator, and Windows account names
   * compare case-insensitively. Linux names stay case-sensitive ("ROOT" is not root: runc finds no such user).
   */
  readonly windows?: boolean;
}

/** The uid a spec runs as: a number, undefined when it depends on /etc/passwd we do not have or fails to start. */
export function uidOfUser(spec: string, passwd?: string): number | undefined {
  const parsed = parseUserSpec(spec);
  switch (parsed.kind) {
    case 'default':
      return undefined;
    case 'uid':
      return parsed.uid;
    case 'invalid':
      return undefined;
    case 'name':
      if (passwd !== undefined) return passwdUid(parsed.name, passwd);
      return parsed.name === 'root' ? 0 : undefined;
    default:
      return parsed satisfies never;
  }
}

/** Whether a user spec runs as uid 0 (or the Windows administrator), decided as runc/dockerd decide it. */
export function isRootUser(spec: string, options: RootUserOptions): boolean {
  const parsed = parseUserSpec(spec);
  if (parsed.kind === 'default') return options.defaultIsRoot;
  if (
    options.windows === true &&
    parsed.kind === 'name' &&
    parsed.name.toLowerCase() === 'containeradministrator'
  )
    return true;
  return uidOfUser(spec, options.passwd) === 0;
}
