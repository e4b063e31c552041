// One polling pass over one network namespace: its socket tables (proc-net.ts) joined with socket ownership
// (procfs.ts) into listening ports and connections, each end attributed to the container owning the socket.
import { isWildcard, parseProcNet, type Proto, type SocketRow } from './proc-net.js';
import { readSocketTables, type ProcessScan } from './procfs.js';
import type { NamespaceUnit } from './namespaces.js';
import type { Endpoint, FlowObservation, ListeningPort, NetContainer } from './types.js';

export interface NamespacePoll {
  readonly inode: number;
  readonly listening: ListeningPort[];
  readonly observations: FlowObservation[];
  /** Listening (proto, port) pairs including sockets no container owns (e.g. Docker's embedded DNS). */
  readonly listenKeys: ReadonlySet<string>;
  readonly skippedRows: number;
}

export function containerEndpoint(c: NetContainer): Endpoint {
  return { kind: 'container', id: c.id, name: c.name, workload: c.workload };
}

function ownerOf(row: SocketRow, unit: NamespaceUnit, scan: ProcessScan): NetContainer | undefined {
  const owner = scan.owners.get(row.inode);
  if (owner?.containerId === undefined) return undefined;
  return unit.containers.find((c) => c.id === owner.containerId);
}

export const listenKey = (proto: Proto, port: number): string => `${proto}/${port}`;
const EPHEMERAL_LOW = 32768;

/** Classifies the rows of one namespace's tables; `time` stamps the observations. */
export function classifyRows(
  rows: readonly SocketRow[],
  unit: NamespaceUnit,
  scan: ProcessScan,
  time: number,
  knownServices: ReadonlySet<string> = new Set(),
): Omit<NamespacePoll, 'skippedRows'> {
  const listening: ListeningPort[] = [];
  const listenKeys = new Set<string>();
  const isListener = (r: SocketRow): boolean =>
    r.proto === 'tcp'
      ? r.state === 'LISTEN'
      : r.state === 'UNCONN' && r.local.port !== 0 && r.remote.port === 0;
  for (const row of rows) {
    if (!isListener(row)) continue;
    listenKeys.add(listenKey(row.proto, row.local.port));
    const owner = ownerOf(row, unit, scan);
    if (owner === undefined) continue;
    listening.push({
      container: owner.id,
      containerName: owner.name,
      proto: row.proto,
      addr: row.local.addr,
      port: row.local.port,
    });
  }
  const observations: FlowObservation[] = [];
  for (const row of rows) {
    if (isListener(row) || row.inode === 0 || row.remote.port === 0 || isWildcard(row.remote.addr)) continue;
    if (row.proto === 'tcp' && (row.state === 'CLOSE' || row.state === 'TIME_WAIT')) continue;
    const owner = ownerOf(row, unit, scan);
    const endpoint = owner === undefined ? undefined : containerEndpoint(owner);
    // the end whose local port has (or had: busybox nc -l closes its listener on accept) a listener is the
    // server; with neither, the end on an ephemeral port (net.ipv4.ip_local_port_range 32768-60999) is the client
    const isService = (port: number): boolean =>
      listenKeys.has(listenKey(row.proto, port)) || knownServices.has(listenKey(row.proto, port));
    const inbound = isService(row.local.port)
      ? true
      : isService(row.remote.port)
        ? false
        : row.local.port < EPHEMERAL_LOW && row.remote.port >= EPHEMERAL_LOW;
    observations.push(
      inbound
        ? {
            netns: unit.inode,
            proto: row.proto,
            clientAddr: row.remote.addr,
            clientPort: row.remote.port,
            serverAddr: row.local.addr,
            serverPort: row.local.port,
            client: undefined,
            server: endpoint,
            source: 'proc',
            time,
          }
        : {
            netns: unit.inode,
            proto: row.proto,
            clientAddr: row.local.addr,
            clientPort: row.local.port,
            serverAddr: row.remote.addr,
            serverPort: row.remote.port,
            client: endpoint,
            server: undefined,
            source: 'proc',
            time,
          },
    );
  }
  return { inode: unit.inode, listening, observations, listenKeys };
}

/** Reads and classifies one namespace; throws when the namespace vanished (the caller reports it). */
export function pollNamespace(
  unit: NamespaceUnit,
  scan: ProcessScan,
  time: number,
  procRoot = '/proc',
  knownServices: ReadonlySet<string> = new Set(),
): NamespacePoll {
  const pids = [unit.pid, ...(scan.pidsByNetns.get(unit.inode) ?? [])];
  let lastError: unknown;
  for (const pid of pids) {
    try {
      const tables = readSocketTables(pid, procRoot);
      const rows: SocketRow[] = [];
      let skipped = 0;
      for (const [name, text] of tables) {
        const parsed = parseProcNet(text, name);
        rows.push(...parsed.rows);
        skipped += parsed.skipped;
      }
      return { ...classifyRows(rows, unit, scan, time, knownServices), skippedRows: skipped };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`network namespace ${unit.inode} of ${unit.primary.name} cannot be read`, {
    cause: lastError,
  });
}
