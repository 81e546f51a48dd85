/**
 * Browser mode: where no Electron binary exists, the till host serves the
 * built renderer on loopback and speaks the IPC contract over a WebSocket.
 * Only the page's own origin may open the socket.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isKassaError } from '../../shared/errors';
import { HOST_WS_PATH, wsClientFrameSchema } from '../../shared/ipc';
import type { TillHost } from './till-host';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const contentSecurityPolicy = (serverUrl: string, port: number): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(serverUrl).origin} ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');

export type BrowserHost = { server: Server; port: number; url: string; close: () => Promise<void> };

export const startBrowserHost = async (
  host: TillHost,
  options: { rendererDir: string; port: number },
): Promise<BrowserHost> => {
  const root = normalize(resolve(options.rendererDir)).replace(/[/\\]+$/, '');
  let port = options.port;

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = normalize(join(root, rel === '/' ? '/index.html' : rel));
    // Inside the renderer directory only (a sibling such as `renderer-old/` must not match by prefix).
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    const found = await stat(file).catch(() => null);
    // Unknown paths get the page itself, so a reload on any route still opens the till.
    const target = found?.isFile() ? file : join(root, 'index.html');
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(host.config().serverUrl, port),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(target)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  // IPC frames are small; a huge one is refused by the socket before it is read.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin ?? '';
    const allowed = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    if (url.pathname !== HOST_WS_PATH || !allowed.includes(origin)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = host.subscribe((event, payload) => send({ type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (raw) => {
      let frame: unknown;
      try {
        frame = JSON.parse(
          (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer)).toString('utf8'),
        );
      } catch {
        send({ type: 'reply', id: -1, ok: false, error: { code: 'IPC_BAD_REQUEST', message: 'Frame is not JSON' } });
        return;
      }
      const parsed = wsClientFrameSchema.safeParse(frame);
      if (!parsed.success) {
        const candidate: unknown =
          typeof frame === 'object' && frame !== null ? (frame as { id?: unknown }).id : undefined;
        const id = typeof candidate === 'number' && Number.isInteger(candidate) ? candidate : -1;
        send({ type: 'reply', id, ok: false, error: { code: 'IPC_BAD_REQUEST', message: 'Malformed frame' } });
        return;
      }
      const { id, channel, payload } = parsed.data;
      host.invoke(channel, payload).then(
        (reply) => send({ type: 'reply', id, ok: true, payload: reply }),
        (e: unknown) =>
          send({
            type: 'reply',
            id,
            ok: false,
            error: isKassaError(e)
              ? { code: e.code, message: e.message }
              : { code: 'INTERNAL', message: 'Till host error' },
          }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;

  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
