// Connects to the Docker Engine API with dockerode, resolving the address the way the docker CLI does:
// --host, else DOCKER_HOST, else the default socket; tcp with TLS from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH
// (docs.docker.com/engine/security/protect-access/ "Use TLS"), reading certificates from disk once.
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BulkheadError, errnoCode, UsageError } from '../shared/errors.js';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export type EngineAddress =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly tls: boolean;
      readonly verify: boolean;
      readonly certPath: string | undefined;
      readonly display: string;
    };

export interface EngineConnectOptions {
  /** --host value; wins over DOCKER_HOST. */
  readonly host?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per-request timeout in milliseconds (dockerode default: none). */
  readonly timeoutMs?: number;
}

export interface EngineConnection {
  readonly docker: Docker;
  readonly address: EngineAddress;
}

/** Parses a DOCKER_HOST-style address; throws UsageError on forms bulkhead cannot use. */
export function resolveEngineAddress(options: EngineConnectOptions): EngineAddress {
  const raw = options.host ?? options.env['DOCKER_HOST'] ?? `unix://${DEFAULT_DOCKER_SOCKET}`;
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length);
    if (socketPath === '')
      throw new UsageError(`empty unix socket path in ${raw}`, {
        subject: raw,
        hint: 'use unix:///var/run/docker.sock',
      });
    return { kind: 'unix', socketPath, display: raw };
  }
  if (raw.startsWith('/')) return { kind: 'unix', socketPath: raw, display: `unix://${raw}` };
  const tcp = /^(?:tcp|https?):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(raw);
  if (tcp !== null) {
    const [, hostPart = '', portPart] = tcp;
    const flag = (name: string): boolean => (options.env[name] ?? '') !== '' && options.env[name] !== '0';
    // As the docker CLI: DOCKER_TLS_VERIFY means TLS with server verification, DOCKER_TLS TLS without it.
    const verify = flag('DOCKER_TLS_VERIFY');
    const tls = verify || flag('DOCKER_TLS') || raw.startsWith('https://');
    const port = portPart === undefined ? (tls ? 2376 : 2375) : Number(portPart);
    const certPath = options.env['DOCKER_CERT_PATH'] ?? (tls ? join(homedir(), '.docker') : undefined);
    return { kind: 'tcp', host: hostPart.replace(/^\[|\]$/g, ''), port, tls, verify, certPath, display: raw };
  }
  throw new UsageError(`unsupported Docker host address ${raw}`, {
    subject: raw,
    hint: 'use unix:///path/to/docker.sock or tcp://HOST:PORT (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS)',
  });
}

function readCert(dir: string, file: string): Buffer {
  const path = join(dir, file);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BulkheadError(
      'INPUT_UNREADABLE',
      `cannot read TLS file ${path} (${errnoCode(error) ?? 'error'})`,
      {
        subject: path,
        hint: 'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem',
        cause: error,
      },
    );
  }
}

function readOptionalCert(dir: string, file: string): Buffer | undefined {
  return existsSync(join(dir, file)) ? readCert(dir, file) : undefined;
}

export function connectEngine(options: EngineConnectOptions): EngineConnection {
  const address = resolveEngineAddress(options);
  const timeout = options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs };
  if (address.kind === 'unix')
    return { docker: new Docker({ socketPath: address.socketPath, ...timeout }), address };
  if (!address.tls)
    return {
      docker: new Docker({ host: address.host, port: address.port, protocol: 'http', ...timeout }),
      address,
    };
  const dir = address.certPath ?? join(homedir(), '.docker');
  if (address.verify) {
    const docker = new Docker({
      host: address.host,
      port: address.port,
      protocol: 'https',
      ca: readCert(dir, 'ca.pem'),
      cert: readCert(dir, 'cert.pem'),
      key: readCert(dir, 'key.pem'),
      ...timeout,
    });
    return { docker, address };
  }
  // TLS without verification (docker --tls): encrypts but trusts any server certificate, as the docker CLI does.
  const cert = readOptionalCert(dir, 'cert.pem');
  const key = readOptionalCert(dir, 'key.pem');
  const agent = new Agent({
    rejectUnauthorized: false,
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  });
  // docker-modem hands `agent` to https.request; @types/dockerode does not declare it.
  const withAgent: Docker.DockerOptions & { agent: Agent } = {
    host: address.host,
    port: address.port,
    protocol: 'https',
    agent,
    ...timeout,
  };
  return { docker: new Docker(withAgent), address };
}
