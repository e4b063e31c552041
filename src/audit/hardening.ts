// Shared pieces of the host-hardening rules (issue 16): the HardeningFacts part a rule needs, or skip(reason)
// when it was not collected or could not be read — never a pass for what was not seen.
import { posix } from 'node:path';
import type { AuditWatch, HardeningFacts, Known, SourceLine, SshdConfig, Sysctl } from '../facts/index.js';
import { ev, fail, pass, skip, type Verdict } from './check.js';
import type { AuditContext } from './rule.js';

export type HardeningPart = keyof HardeningFacts;

/** A verdict over one known part of the hardening facts; skip with the reason when that part is unknown. */
export function onHardening<K extends HardeningPart>(
  part: K,
  verdict: (
    value: HardeningFacts[K] extends Known<infer T> ? T : never,
    source: string,
    hardening: HardeningFacts,
    ctx: AuditContext,
  ) => Verdict,
): (ctx: AuditContext) => Verdict {
  return (ctx) => {
    const hardening = ctx.facts.host.hardening;
    if (hardening === undefined) return skip('host hardening facts were not collected');
    const fact = hardening[part] as Known<unknown>;
    if (fact.state === 'unknown') return skip(fact.reason);
    return verdict(
      fact.value as HardeningFacts[K] extends Known<infer T> ? T : never,
      fact.source,
      hardening,
      ctx,
    );
  };
}

export function at(source: SourceLine): string {
  return source.line === undefined ? source.file : `${source.file}:${source.line}`;
}

/** One sysctl's running value; undefined when the kernel has no such knob. */
export function sysctlValue(sysctls: readonly Sysctl[], name: string): Sysctl | undefined {
  const found = sysctls.find((s) => s.name === name);
  return found?.value === undefined ? undefined : found;
}

export function sysctlEvidence(s: Sysctl, expected: string): ReturnType<typeof ev> {
  return ev(s.source, s.value ?? '(absent)', expected);
}

/** True when an audit watch covers the path: the same path, or a directory above it (directory watches recurse). */
export function watchCovers(watch: AuditWatch, path: string): boolean {
  const watched = posix.normalize(watch.path).replace(/\/$/, '');
  return path === watched || path.startsWith(`${watched}/`);
}

type SshdSetting = SshdConfig['global'][string];

/**
 * A keyword's global value and every Match block that sets it: a Match block applies only to the connections it
 * matches, so each one that sets a weaker value is its own evidence.
 */
export function sshdValues(
  config: SshdConfig,
  keyword: string,
): { global: SshdSetting | undefined; matches: { criteria: string; setting: SshdSetting }[] } {
  return {
    global: config.global[keyword],
    matches: config.matches.flatMap((m) => {
      const setting = m.settings[keyword];
      return setting === undefined ? [] : [{ criteria: m.criteria, setting }];
    }),
  };
}

/**
 * One verdict for an sshd keyword: fail when the global value or any Match block's value is weak, with the
 * file:line of each (sshd_config(5) defaults count: a default weak value fails with "sshd default" as source).
 */
export function judgeSshd(
  config: SshdConfig,
  keyword: string,
  isWeak: (value: string) => boolean,
  describeWeak: (value: string) => string,
  expected: string,
): Verdict {
  const { global, matches } = sshdValues(config, keyword);
  const name = SSHD_KEYWORD_NAMES[keyword] ?? keyword;
  const weak = [
    ...(global !== undefined && isWeak(global.value)
      ? [{ where: global.isDefault ? 'by default' : 'globally', setting: global }]
      : []),
    ...matches
      .filter((m) => isWeak(m.setting.value))
      .map((m) => ({ where: `for Match ${m.criteria}`, setting: m.setting })),
  ];
  if (weak.length === 0)
    return pass(
      `${name} ${global?.value ?? '(unset)'}${matches.length > 0 ? ` (and ${matches.length} Match override(s), none weaker)` : ''}`,
      ...(global === undefined ? [] : [ev(at(global.at), `${name} ${global.value}`)]),
    );
  return fail(
    weak.map((w) => `${describeWeak(w.setting.value)} ${w.where}`).join('; '),
    ...weak.map((w) => ev(at(w.setting.at), `${name} ${w.setting.value}`, expected)),
  );
}

const SSHD_KEYWORD_NAMES: Readonly<Record<string, string>> = {
  permitrootlogin: 'PermitRootLogin',
  passwordauthentication: 'PasswordAuthentication',
  permitemptypasswords: 'PermitEmptyPasswords',
  x11forwarding: 'X11Forwarding',
  allowagentforwarding: 'AllowAgentForwarding',
  kbdinteractiveauthentication: 'KbdInteractiveAuthentication',
};

/** One verdict for one sysctl: skip when the kernel lacks the knob, pass/fail on its running value. */
export function judgeSysctl(
  sysctls: readonly Sysctl[],
  name: string,
  safe: (value: string) => boolean,
  expected: string,
  weakMessage: (value: string) => string,
): Verdict {
  const s = sysctlValue(sysctls, name);
  if (s?.value === undefined)
    return skip(`the kernel has no ${name} (/proc/sys/${name.replace(/\./g, '/')})`);
  return safe(s.value)
    ? pass(`${name} = ${s.value}`, sysctlEvidence(s, expected))
    : fail(weakMessage(s.value), sysctlEvidence(s, expected));
}
