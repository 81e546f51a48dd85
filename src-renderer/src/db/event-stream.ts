/**
 * One connection to a Server-Sent-Events stream of the central server, over
 * fetch (so it carries the till's bearer token, which EventSource cannot).
 *
 * A connection that goes silent — a dead proxy or NAT entry: no error, no
 * end — is dropped after `silenceMs` without a byte (the server sends a
 * heartbeat every 15 s), so the caller reconnects and resyncs. Resolves
 * when the stream ends or is aborted, rejects when it cannot be opened or
 * breaks; the caller decides when to connect again.
 */
import { createParser } from 'eventsource-parser';

export type EventStreamOptions = {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  silenceMs: number;
  /** The server answered: the stream is open. */
  onOpen: () => void;
  onEvent: (data: string) => void;
};

export async function readEventStream(options: EventStreamOptions): Promise<void> {
  const connection = new AbortController();
  const onStop = () => connection.abort();
  options.signal.addEventListener('abort', onStop);
  // Aborted before this call: an abort listener added now would never run, and the stream would stay open.
  if (options.signal.aborted) connection.abort();
  let watchdog = setTimeout(() => connection.abort(), options.silenceMs);
  try {
    const res = await options.fetch(options.url, { headers: options.headers, signal: connection.signal });
    if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
    options.onOpen();
    const parser = createParser({ onEvent: (event) => options.onEvent(event.data) });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => connection.abort(), options.silenceMs);
      parser.feed(value);
    }
  } finally {
    clearTimeout(watchdog);
    options.signal.removeEventListener('abort', onStop);
  }
}
