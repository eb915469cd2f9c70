/**
 * A static file server for the web playground (`matcalc web`): the built folder dist/web on
 * 127.0.0.1, with node:http. Loaded only by that command, never on the CLI's start-up path.
 *
 * It serves files inside the folder and nothing else: GET and HEAD only; a path that leaves the
 * folder, names a directory other than the root or does not exist is a 404; every answer carries the
 * page's Content-Security-Policy (the same as its <meta> tag, plus frame-ancestors), so that the
 * browser itself refuses any request outside the page's origin.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestError } from '../errors.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

const CSP =
  "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; " +
  "img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where the built page is: beside the bundled CLI (dist/cli.cjs → dist/web), or dist/web from the sources. */
export function webRoot(): string {
  const candidates = [new URL('web/', import.meta.url), new URL('../../dist/web/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(resolve(dir, 'index.html'))) return resolve(dir);
  }
  throw new RequestError('the web page is not built: run `npm run build` first (it writes dist/web)');
}

/** The file a request path names inside `root`, or undefined. */
export function fileFor(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(urlPath, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  const headers = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res
      .writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      .end('method not allowed\n');
    return;
  }
  const file = fileFor(root, req.url ?? '/');
  if (file === undefined) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1:port (0: any free port). */
export function serve(root: string, port: number): Promise<Served> {
  const server = createServer((req, res) => handle(root, req, res));
  return new Promise((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'EADDRINUSE'
          ? new RequestError(`port ${port} is in use: choose another with --port N (--port 0 takes any free port)`)
          : err.code === 'EACCES'
            ? new RequestError(`port ${port} needs privileges: choose one above 1023 with --port N`)
            : err,
      );
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      ok({
        url: `http://127.0.0.1:${bound}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
