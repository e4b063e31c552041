// Renders collected Facts as a readable summary for `bulkhead info` (the JSON form is the facts document itself).
import type { ContainerInspect, Facts } from '../facts/index.js';
import type { Known } from '../facts/known.js';
import { bold, dim, truncate, type TextStyle } from './text.js';
import { renderColumns } from '../shared/columns.js';

function show<T>(fact: Known<T>, format: (value: T) => string, style: TextStyle): string {
  return fact.state === 'known' ? format(fact.value) : dim(`unknown (${fact.reason})`, style);
}

function list(values: readonly string[] | null | undefined, empty = 'none'): string {
  return values === null || values === undefined || values.length === 0 ? empty : values.join(', ');
}

function section(title: string, rows: readonly (readonly [string, string])[], style: TextStyle): string {
  return `${bold(title, style)}\n${renderColumns(['', ''], rows, '  ').split('\n').slice(1).join('\n')}`;
}

function containerRow(c: ContainerInspect): string[] {
  const hc = c.HostConfig ?? {};
  const caps = hc.Privileged === true ? 'ALL (privileged)' : list(hc.CapAdd, '-');
  const namespaces = (['PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'NetworkMode'] as const)
    .filter((key) => hc[key] === 'host')
    .map((key) => key.replace('Mode', '').toLowerCase());
  return [
    c.Name.replace(/^\//, ''),
    truncate(c.Config?.Image ?? c.Image ?? '', 28),
    c.State?.Status ?? '?',
    c.Config?.User === undefined || c.Config.User === null || c.Config.User === '' ? 'root' : c.Config.User,
    truncate(caps, 24),
    namespaces.length === 0 ? '-' : namespaces.join(','),
    hc.ReadonlyRootfs === true ? 'ro' : 'rw',
    hc.PidsLimit === null || hc.PidsLimit === undefined || hc.PidsLimit <= 0 ? '-' : String(hc.PidsLimit),
    hc.Runtime ?? '-',
  ];
}

export function renderFactsText(facts: Facts, style: TextStyle): string {
  const { host } = facts;
  const out: string[] = [];
  const kernel = host.kernel;
  out.push(
    section(
      `Host (${host.root})`,
      [
        ['hostname', show(host.hostname, (v) => v, style)],
        ['os', show(host.os, (v) => v.prettyName ?? `${v.id} ${v.versionId ?? ''}`, style)],
        ['kernel', show(kernel.release, (v) => v, style)],
        ['installed kernels', show(kernel.installed, (v) => list(v.map((k) => k.release)), style)],
        [
          'kernel CVEs',
          show(
            facts.kernelVulnerabilities ?? { state: 'unknown', reason: 'not looked up' },
            (v) =>
              `${v.kernel}: ${v.missing.length === 0 ? 'no shipped fix missing' : `${v.missing.length} fixed in a later package (${v.missing.filter((m) => m.state === 'fixed-after-reboot').length} after reboot)`}${v.livePatched.length > 0 ? `, ${v.livePatched.length} live-patched` : ''}`,
            style,
          ),
        ],
        [
          'reboot required',
          show(
            kernel.rebootRequired,
            (v) => (v.required ? `yes (${list(v.packages, 'no package list')})` : 'no'),
            style,
          ),
        ],
        [
          'live patches',
          show(
            kernel.livepatch,
            (v) => list(v.patches.map((p) => `${p.name}${p.enabled ? '' : ' (disabled)'}`)),
            style,
          ),
        ],
        ['LSMs', show(host.lsm.active, (v) => list(v), style)],
        [
          'AppArmor',
          show(
            host.lsm.apparmor,
            (v) =>
              v.enabled ? `enabled${v.profiles === undefined ? '' : `, ${v.profiles} profiles`}` : 'disabled',
            style,
          ),
        ],
        ['SELinux', show(host.lsm.selinux, (v) => v.mode, style)],
        [
          'seccomp',
          show(
            kernel.seccomp,
            (v) =>
              v.available
                ? `available${v.actions.length > 0 ? ` (${v.actions.join(' ')})` : ''}`
                : 'not available',
            style,
          ),
        ],
        ['cgroup', show(kernel.cgroupVersion, (v) => `v${v}`, style)],
        ['kernel modules', show(kernel.modules, (v) => `${v.length} loaded`, style)],
        [
          'dockerd',
          show(
            host.dockerd,
            (v) =>
              `pid ${v.pid} (matched by ${v.matchedBy})${v.others.length > 0 ? `, other dockerd pids: ${v.others.join(', ')}` : ''}`,
            style,
          ),
        ],
        [
          'dockerd flags',
          show(
            host.dockerd,
            (v) =>
              truncate(
                Object.entries(v.flags)
                  .flatMap(([k, vs]) => vs.map((x) => `--${k}=${x}`))
                  .join(' ') || 'none',
                200,
              ),
            style,
          ),
        ],
        [
          'daemon.json',
          show(
            host.daemonConfig,
            (v) =>
              `${v.path}${v.fromFlag ? ' (--config-file)' : ''}: ${v.exists ? `keys ${list(Object.keys(v.config ?? {}))}` : 'absent'}`,
            style,
          ),
        ],
        [
          'docker group',
          show(
            host.dockerGroup,
            (v) => (v.gid < 0 ? 'absent' : `gid ${v.gid}, members: ${list(v.members)}`),
            style,
          ),
        ],
        [
          'docker packages',
          show(host.dockerPackages, (v) => list(v.map((p) => `${p.name} ${p.version}`)), style),
        ],
        [
          'data root',
          show(
            host.dataRootMount,
            (v) => `${v.dataRoot} on mount ${v.mountPoint} (${v.fsType}, device ${v.device})`,
            style,
          ),
        ],
      ],
      style,
    ),
  );
  out.push(
    renderColumns(
      ['  MODE', 'OWNER', 'TYPE', 'PATH', 'ROLE'],
      host.files.map((f) =>
        f.exists
          ? [
              `  ${f.modeOctal ?? '?'}`,
              `${f.owner ?? f.uid ?? '?'}:${f.group ?? f.gid ?? '?'}`,
              f.type ?? '?',
              f.path,
              f.role,
            ]
          : [
              '  -',
              '-',
              f.error === undefined ? 'absent' : 'error',
              f.path,
              f.error === undefined ? f.role : `${f.role}: ${f.error}`,
            ],
      ),
    ),
  );
  out.push('');
  if (facts.engine.state === 'unknown') {
    out.push(`${bold('Engine', style)}\n  ${facts.engine.reason}`);
  } else {
    const engine = facts.engine.value;
    const { info, version } = engine;
    const runtimes = Object.entries(info.Runtimes ?? {}).map(
      ([name, r]) =>
        `${name}${name === info.DefaultRuntime ? ' (default)' : ''}${r.path === undefined || r.path === null || r.path === name ? '' : ` ${r.path}`}${(r.runtimeArgs ?? []).length > 0 ? ` ${(r.runtimeArgs ?? []).join(' ')}` : ''}`,
    );
    out.push(
      section(
        `Engine (${engine.address})`,
        [
          [
            'version',
            `${version.Version} (API ${version.ApiVersion}, min ${version.MinAPIVersion ?? '?'}), ${version.GoVersion ?? ''}`,
          ],
          ['components', list((version.Components ?? []).map((c) => `${c.Name} ${c.Version}`))],
          ['os / kernel', `${info.OperatingSystem ?? '?'} / ${info.KernelVersion ?? '?'}`],
          ['storage / logging', `${info.Driver ?? '?'} / ${info.LoggingDriver ?? '?'}`],
          ['cgroup', `${info.CgroupDriver ?? '?'} driver, v${info.CgroupVersion ?? '?'}`],
          ['data root', info.DockerRootDir ?? '?'],
          ['runtimes', list(runtimes)],
          [
            'security options',
            list(
              engine.securityOptions.map(
                (o) =>
                  `${o.name}${
                    Object.keys(o.options).length > 0
                      ? ` (${Object.entries(o.options)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(', ')})`
                      : ''
                  }`,
              ),
            ),
          ],
          ['authorization', list(info.Plugins?.Authorization)],
          ['live-restore', String(info.LiveRestoreEnabled ?? 'unknown')],
          ['insecure registries', list(info.RegistryConfig?.InsecureRegistryCIDRs)],
          ['registry mirrors', list(info.RegistryConfig?.Mirrors)],
          ['warnings', list(info.Warnings)],
          [
            'containers',
            `${engine.containers.length} (${engine.containers.filter((c) => c.State?.Running === true).length} running)`,
          ],
          ['images', String(engine.images.length)],
          ['networks', list(engine.networks.map((n) => `${n.Name} (${n.Driver ?? '?'})`))],
          ['API calls', String(engine.apiCalls)],
        ],
        style,
      ),
    );
    if (engine.containers.length > 0) {
      out.push(
        renderColumns(
          ['  NAME', 'IMAGE', 'STATE', 'USER', 'CAPS ADDED', 'HOST NS', 'ROOTFS', 'PIDS', 'RUNTIME'],
          engine.containers.map((c) => {
            const [name = '', ...rest] = containerRow(c);
            return [`  ${name}`, ...rest];
          }),
        ),
      );
    }
  }
  return `${out.join('\n')}\n`;
}
