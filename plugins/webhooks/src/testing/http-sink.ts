/**
 * Test support: a real HTTP receiver on 127.0.0.1 that records every request and answers with a
 * programmable status, or never answers (`hang`) to exercise timeouts.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Date.now()` when the body was complete. */
  readonly receivedAt: number;
}

export type SinkReply = { readonly status: number; readonly headers?: Readonly<Record<string, string>> } | 'hang';

export class HttpSink {
  readonly requests: SinkRequest[] = [];
  private reply: (request: SinkRequest) => SinkReply = () => ({ status: 200 });
  private readonly hanging = new Set<ServerResponse>();

  private readonly server: Server;
  private boundPort = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: SinkRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        this.requests.push(request);
        const answer = this.reply(request);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('{}');
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  static async start(reply?: (request: SinkRequest) => SinkReply): Promise<HttpSink> {
    const sink = new HttpSink();
    if (reply) sink.reply = reply;
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    sink.boundPort = (sink.server.address() as AddressInfo).port;
    return sink;
  }

  /** `http://127.0.0.1:<port><path>`. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  respondWith(reply: (request: SinkRequest) => SinkReply): void {
    this.reply = reply;
  }

  /** Always answers `status`. */
  respond(status: number, headers?: Readonly<Record<string, string>>): void {
    this.reply = () => (headers ? { status, headers } : { status });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
