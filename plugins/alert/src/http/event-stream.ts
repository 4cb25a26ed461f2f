/**
 * A Server-Sent Events response (WHATWG HTML §9.2): `event:`/`id:`/`data:` frames, a comment as
 * heartbeat so proxies and clients keep the connection open, and one `close` for every way it
 * ends (client gone, server shutting down). Invariant: nothing is written after `close`.
 */
import type { ServerResponse } from 'node:http';

/** Interval between heartbeat comments, ms. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** Tells clients how long to wait before reconnecting, ms. */
const RECONNECT_MS = 3_000;

export class EventStream {
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly onClose: Array<() => void> = [];

  constructor(
    private readonly res: ServerResponse,
    heartbeatMs: number = DEFAULT_HEARTBEAT_MS,
  ) {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    this.timer = setInterval(() => this.comment('heartbeat'), heartbeatMs);
    res.once('close', () => this.close());
  }

  /** Sends one event. `data` is serialised as JSON on a single `data:` line. */
  send(event: string, data: unknown, id?: string): void {
    if (this.closed) return;
    const idLine = id === undefined ? '' : `id: ${id.replace(/[\r\n]/g, '')}\n`;
    this.res.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  /** Runs `callback` once when the stream ends. */
  whenClosed(callback: () => void): void {
    if (this.closed) callback();
    else this.onClose.push(callback);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (!this.res.writableEnded) this.res.end();
    for (const callback of this.onClose.splice(0)) callback();
  }
}
