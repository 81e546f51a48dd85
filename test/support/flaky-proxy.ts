/**
 * A loopback HTTP proxy that misbehaves on purpose: it can drop the reply to
 * a push after the server has committed it (the till never learns it
 * succeeded), and call a hook while a push is in flight (to kill the server
 * mid-push). Streams (SSE) are piped through untouched.
 */
import { createServer, request, type Server } from 'node:http';

export type FlakyProxy = {
  url: string;
  server: Server;
  dropped: () => number;
  pushes: () => number;
  close: () => Promise<void>;
};

export const startFlakyProxy = async (opts: {
  target: () => string;
  dropReplyEvery: number;
  onPushInFlight?: (n: number) => void;
}): Promise<FlakyProxy> => {
  let pushes = 0;
  let dropped = 0;
  const server = createServer((req, res) => {
    const isPush = req.method === 'POST' && (req.url ?? '').includes('/journal/push');
    const n = isPush ? ++pushes : 0;
    const target = new URL(req.url ?? '/', opts.target());
    const upstream = request(target, { method: req.method, headers: req.headers }, (up) => {
      if (isPush && n % opts.dropReplyEvery === 0) {
        // The server has answered (committed); the till never hears it.
        up.resume();
        up.on('end', () => {
          dropped++;
          res.destroy();
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      // A server killed mid-stream ends the till's stream too (a pipe alone would leave it hanging open).
      up.on('close', () => {
        if (!up.complete) res.destroy();
      });
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
    if (isPush) opts.onPushInFlight?.(n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    server,
    dropped: () => dropped,
    pushes: () => pushes,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
