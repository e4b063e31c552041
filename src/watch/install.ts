// The systemd unit for `bulkhead watch` (printed by `watch install`, like `authz install`): starts after
// docker.service, stops with SIGTERM (watch removes its marks and writes learned profiles), restarts on failure.
import { execLine, parentDir, quoteWord, renderUnit } from '../shared/systemd-unit.js';

export interface WatchUnitOptions {
  /** The argv that starts bulkhead (src/shared/self-binary.ts: [node, script] or [--bin PATH]). */
  readonly command: readonly string[];
  readonly mode: string;
  readonly profiles: string;
  readonly db: string;
}

export function watchUnit(o: WatchUnitOptions): string {
  const args = [...o.command, 'watch', '--mode', o.mode, '--profiles', o.profiles, '--db', o.db];
  return renderUnit([
    [
      'Unit',
      [
        ['Description', 'bulkhead watch: runtime protection for Docker containers'],
        ['After', 'docker.service'],
        ['Wants', 'docker.service'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'simple'],
        ['ExecStart', execLine(args)],
        ['KillSignal', 'SIGTERM'],
        ['TimeoutStopSec', '30'],
        ['Restart', 'always'],
        ['RestartSec', '2'],
        // fanotify permission events, the proc connector and /proc/<pid>/mem of blocked execs need root's capabilities
        ['NoNewPrivileges', 'yes'],
        ['ProtectHome', 'yes'],
        ['PrivateTmp', 'yes'],
        ['ReadWritePaths', `${quoteWord(o.profiles)} ${quoteWord(parentDir(o.db))}`],
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}
