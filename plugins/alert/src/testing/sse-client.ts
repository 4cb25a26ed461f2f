/**
 * Test support: a Server-Sent Events client over `fetch`, reading frames as they arrive
 * (`event`/`data`/`id` fields, or a `: comment`). `next` waits for the first unread frame that
 * matches, failing after a timeout, so tests assert latency as well as content.
 */

export interface SseFrame {
  readonly event?: string;
  readonly data?: string;
  readonly id?: string;
  readonly comment?: string;
}

function parseFrame(block: string): SseFrame {
  const frame: { event?: string; data?: string; id?: string; comment?: string } = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const match = /^(event|data|id): ?(.*)$/.exec(line);
    if (match?.[1] === 'event' || match?.[1] === 'data' || match?.[1] === 'id') frame[match[1]] = match[2] ?? '';
  }
  return frame;
}

export class SseClient {
  private readonly frames: SseFrame[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private done = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.pump();
  }

  /** Connects; resolves once the response headers arrived (the stream is then subscribed). */
  static async connect(url: string, authorization: string): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { authorization, accept: 'text/event-stream' }, signal: abort.signal });
    return new SseClient(response, abort);
  }

  private async pump(): Promise<void> {
    const body = this.response.body;
    if (body === null) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = this.buffer.indexOf('\n\n');
        while (end !== -1) {
          this.frames.push(parseFrame(this.buffer.slice(0, end)));
          this.buffer = this.buffer.slice(end + 2);
          end = this.buffer.indexOf('\n\n');
        }
        this.wake();
      }
    } catch {
      // aborted by close(), or the server ended the connection
    }
    this.done = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Frames received so far, in order. */
  received(): readonly SseFrame[] {
    return [...this.frames];
  }

  /** The first frame matching `predicate`, waiting up to `timeoutMs`. */
  async next(predicate: (frame: SseFrame) => boolean, timeoutMs: number): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.done) throw new Error(`no matching SSE frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Whether the server ended the stream. */
  ended(): boolean {
    return this.done;
  }

  close(): void {
    this.abort.abort();
  }
}
