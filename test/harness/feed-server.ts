// A local HTTP server on 127.0.0.1 serving ../shared/data/vulndb (or another directory) for `db update` tests:
// static files only, no path escapes, optional injected failures, and a request log. Always close() it.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';

export const SHARED_VULNDB = resolve(import.meta.dirname, '../../../shared/data/vulndb');

export interface FeedServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface FeedServerOptions {
  readonly root?: string;
  /** Return an HTTP status to answer instead of the file (e.g. 500), or 'truncate' to cut the body short. */
  readonly fault?: (path: string) => number | 'truncate' | undefined;
}

export async function startFeedServer(options: FeedServerOptions = {}): Promise<FeedServer> {
  const root = options.root ?? SHARED_VULNDB;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const fault = options.fault?.(path);
    if (typeof fault === 'number') {
      res.writeHead(fault, { 'content-type': 'text/plain' }).end(`injected ${fault}\n`);
      return;
    }
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream' });
    if (fault === 'truncate') {
      createReadStream(file, { start: 0, end: Math.max(0, Math.floor(size / 2)) })
        .on('end', () => {
          res.destroy();
        })
        .pipe(res, { end: false });
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => {
          ok();
        });
      }),
  };
}
