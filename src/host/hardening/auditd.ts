// auditd file watches from the rules auditctl loads (auditctl(8), audit.rules(7)): `-w PATH [-p PERMS] [-k KEY]`
// and syscall rules with `-F path=` / `-F dir=`; `#` lines are comments and `-D` deletes every rule before it.
import type { AuditWatch } from '../../facts/hardening.js';
import type { RootFs } from '../root-fs.js';

export const AUDIT_RULES_FILE = '/etc/audit/audit.rules';
export const AUDIT_RULES_DIR = '/etc/audit/rules.d';

export function parseAuditRules(text: string, file: string): AuditWatch[] {
  let watches: AuditWatch[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const tokens = line.split(/\s+/);
    const at = { file, line: index + 1 };
    const value = (flag: string): string | undefined => {
      const i = tokens.indexOf(flag);
      return i < 0 ? undefined : tokens[i + 1];
    };
    if (tokens[0] === '-D') {
      watches = [];
      return;
    }
    const key = value('-k');
    const fieldsOf = (): Map<string, string> => {
      const fields = new Map<string, string>();
      tokens.forEach((t, i) => {
        if (t !== '-F') return;
        const [name = '', ...rest] = (tokens[i + 1] ?? '').split('=');
        fields.set(name, rest.join('='));
      });
      return fields;
    };
    if (tokens[0] === '-w') {
      const path = tokens[1];
      if (path === undefined) return;
      const permissions = value('-p');
      watches.push({
        path,
        ...(permissions === undefined ? {} : { permissions }),
        ...(key === undefined ? {} : { key }),
        at,
      });
      return;
    }
    if (tokens[0] === '-a' || tokens[0] === '-A') {
      const fields = fieldsOf();
      const path = fields.get('path') ?? fields.get('dir');
      if (path === undefined) return;
      const permissions = fields.get('perm');
      const filterKey = key ?? fields.get('key');
      watches.push({
        path,
        ...(permissions === undefined ? {} : { permissions }),
        ...(filterKey === undefined ? {} : { key: filterKey }),
        at,
      });
    }
  });
  return watches;
}

export function readAuditd(fs: RootFs): { installed: boolean; watches: AuditWatch[]; files: string[] } {
  const installed = ['/sbin/auditd', '/usr/sbin/auditd', '/usr/bin/auditd'].some((p) => fs.exists(p));
  // augenrules concatenates rules.d/*.rules (sorted) into audit.rules; auditd loads audit.rules
  const files = [
    ...(fs.list(AUDIT_RULES_DIR) ?? [])
      .filter((f) => f.endsWith('.rules'))
      .map((f) => `${AUDIT_RULES_DIR}/${f}`),
    AUDIT_RULES_FILE,
  ];
  const watches: AuditWatch[] = [];
  const read: string[] = [];
  for (const file of files) {
    const text = fs.readIfExists(file);
    if (text === undefined) continue;
    read.push(file);
    watches.push(...parseAuditRules(text, file));
  }
  return { installed, watches, files: read };
}
