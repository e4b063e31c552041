// The systemd unit for `bulkhead watch` (printed by `watch install`, like `authz install`): starts after
// docker.service, stops with SIGTERM (watch removes its marks and writes learned profiles), restarts on failure.

export interface WatchUnitOptions {
  /** The argv that starts bulkhead (src/shared/self-binary.ts: [node, script] or [--bin PATH]). */
  readonly command: readonly string[];
  readonly mode: string;
  readonly profiles: string;
  readonly db: string;
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function watchUnit(o: WatchUnitOptions): string {
  const args = [...o.command, 'watch', '--mode', o.mode, '--profiles', o.profiles, '--db', o.db];
  return [
    '[Unit]',
    'Description=bulkhead watch: runtime protection for Docker containers',
    'After=docker.service',
    'Wants=docker.service',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${args.map(quote).join(' ')}`,
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'Restart=always',
    'RestartSec=2',
    // fanotify permission events, the proc connector and /proc/<pid>/mem of blocked execs need root's capabilities
    'NoNewPrivileges=yes',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    `ReadWritePaths=${quote(o.profiles)} ${quote(o.db.slice(0, o.db.lastIndexOf('/')) || '/')}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
