// Installation artefacts for the plugin: the legacy plugin spec file dockerd reads from /etc/docker/plugins
// (docs.docker.com/engine/extend/plugin_api "Plugin discovery") and a hardened systemd unit that starts the
// plugin before docker.service and reloads the policy on `systemctl reload` (SIGHUP).

export interface InstallOptions {
  readonly name: string;
  readonly socket: string;
  readonly policy: string;
  /** Absolute path of the bulkhead executable. */
  readonly bin: string;
  readonly decisionLog: string | undefined;
}

/** The .spec file: one line, the plugin's address. */
export function specFile(options: InstallOptions): string {
  return `unix://${options.socket}\n`;
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function systemdUnit(options: InstallOptions): string {
  const args = [options.bin, 'authz', 'serve', '--policy', options.policy, '--socket', options.socket];
  if (options.decisionLog !== undefined) args.push('--decision-log', options.decisionLog);
  return [
    '[Unit]',
    `Description=bulkhead Docker authorization plugin (${options.name})`,
    'Before=docker.service',
    'After=local-fs.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${args.map(quote).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=always',
    'RestartSec=1',
    // the plugin only needs its socket directory, the policy (read) and dockerd's socket (connect)
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateNetwork=no',
    'RestrictAddressFamilies=AF_UNIX',
    'CapabilityBoundingSet=',
    `ReadWritePaths=${quote(options.socket.slice(0, options.socket.lastIndexOf('/')) || '/')}${
      options.decisionLog === undefined || options.decisionLog === '-'
        ? ''
        : ` ${quote(options.decisionLog.slice(0, options.decisionLog.lastIndexOf('/')) || '/')}`
    }`,
    '',
    '[Install]',
    'WantedBy=multi-user.target docker.service',
    '',
  ].join('\n');
}
