/**
 * A real HTTP server on 127.0.0.1 for a transport's tests: it records every request (method, URL,
 * headers, body) and counts TCP connections (keep-alive is observable), and answers however the
 * test's handler does — including not at all, or half-way, to exercise deadlines.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  /** The request target, e.g. `/api/chat.postMessage?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly port: number;
  /** Every complete request, in arrival order. */
  readonly received: readonly ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Closes every connection, answered or not, and the server. */
  close(): Promise<void>;
}

/** Receivers started and not closed yet (see `closeHttpReceivers`). */
const open = new Set<HttpReceiver>();

/** Closes every receiver still open: a test file's `afterEach(closeHttpReceivers)`. */
export async function closeHttpReceivers(): Promise<void> {
  await Promise.all([...open].map((receiver) => receiver.close()));
}

export async function startHttpReceiver(handler: (request: ReceivedRequest, res: ServerResponse) => void): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      handler(request, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const receiver: HttpReceiver = {
    base: `http://127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    close: async () => {
      if (!open.delete(receiver)) return;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  open.add(receiver);
  return receiver;
}
