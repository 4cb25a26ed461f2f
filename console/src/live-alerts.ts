/**
 * The alerts live stream (`GET /users/{id}/alerts/stream`, Server-Sent Events) read with `fetch`,
 * because `EventSource` cannot send an `Authorization` header and tokens never go in URLs.
 * Reconnects with a growing delay (1 s doubling to 30 s) until stopped.
 */
import { token } from './api.js';

export interface AlertJson {
  readonly id: string;
  readonly user_id: string;
  readonly title: string;
  readonly description: string;
  readonly url: string | null;
  readonly icon: string;
  readonly source: string;
  readonly created_at: string;
  readonly read_at: string | null;
}

/** Calls `onAlert` for each `event: alert` frame and `onOpen` after each (re)connection; returns a stop function. */
export function followAlerts(userId: string, onAlert: (alert: AlertJson) => void, onOpen: () => void): () => void {
  const controller = new AbortController();
  let delay = 1_000;
  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(`/api/v1/users/${encodeURIComponent(userId)}/alerts/stream`, {
          headers: { authorization: `Bearer ${token.value ?? ''}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!res.ok || res.body === null) throw new Error(`stream answered ${res.status}`);
        delay = 1_000;
        onOpen();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split(/\r?\n/)) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (event === 'alert' && data.length > 0) onAlert(JSON.parse(data.join('\n')) as AlertJson);
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => controller.abort();
}
