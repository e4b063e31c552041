// A throwaway PostgreSQL for tests: initdb into a temp dir as an unprivileged system user (initdb and postgres
// refuse root), listening on a unix socket only (listen_addresses=''), stopped and removed by stop().
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/local/bin'];
const USER = 'bulkhead-pg';

export interface Postgres {
  /** postgres:// URL over the unix socket (kysely/pg: host=DIR). */
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

function binary(name: string): string {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`PostgreSQL's ${name} not found in ${BIN_DIRS.join(', ')}: apt-get install postgresql`);
}

function ensureUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** The command line to run a PostgreSQL binary as the unprivileged user (directly when not root). */
function asUser(cmd: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', USER, '--', cmd, ...args]] : [cmd, [...args]];
}

export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'bh-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'sock');
  if (process.getuid?.() === 0) {
    const { uid, gid } = ensureUser();
    chownSync(dir, uid, gid);
  }
  execFileSync('mkdir', ['-p', socket]);
  if (process.getuid?.() === 0) execFileSync('chown', [USER, socket]);
  const [initCmd, initArgs] = asUser(binary('initdb'), [
    '-D',
    data,
    '-U',
    'bulkhead',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C.UTF-8',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  // pg_ctl starts postgres as a daemon and waits (-w) for it to accept connections; it is stopped the same way, so
  // no postgres outlives the test even when runuser does not forward signals
  const options = [
    `-k ${socket}`,
    "-c listen_addresses=''",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
    '-c shared_buffers=64MB',
  ].join(' ');
  const [cmd, args] = asUser(binary('pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'postgres.log'),
    '-o',
    options,
    '-w',
    '-t',
    '30',
    'start',
  ]);
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
  } catch (error) {
    const log = existsSync(join(dir, 'postgres.log')) ? readFileSync(join(dir, 'postgres.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postgres did not start: ${log}`, { cause: error });
  }
  // createdb through the server itself: connect to the default "postgres" database and create ours
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ host: socket, user: 'bulkhead', database: 'postgres' });
  await admin.connect();
  await admin.query('create database bulkhead');
  await admin.end();
  return {
    url: `postgres://bulkhead@localhost/bulkhead?host=${encodeURIComponent(socket)}`,
    dir,
    stop: () => {
      const [stopCmd, stopArgs] = asUser(binary('pg_ctl'), [
        '-D',
        data,
        '-m',
        'fast',
        '-w',
        '-t',
        '30',
        'stop',
      ]);
      try {
        execFileSync(stopCmd, stopArgs, { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}
