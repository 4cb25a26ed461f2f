/** The signed-in user's unread count and newly arrived alerts, kept live by the alerts stream. */
import { signal } from '@preact/signals';
import { api } from './api.js';
import { followAlerts, type AlertJson } from './live-alerts.js';

export const unread = signal(0);
/** An alert received on the stream, and when (`performance.now()`). */
export interface Arrival {
  readonly alert: AlertJson;
  readonly at: number;
}
/** Alerts received on the stream that the inbox's list may not hold yet (newest first). */
export const arrived = signal<Arrival[]>([]);
/**
 * Counts the stream's (re)connections. An alert stored while the stream was not connected (before
 * it first opened, or during a reconnection) is never announced, so the inbox reloads its list
 * whenever this changes.
 */
export const streamOpens = signal(0);

/**
 * What the inbox keeps of `arrived` once a list fetched from `fetchedAt` on has come back: the
 * alerts received since (the list may predate them); earlier ones were stored before the fetch
 * began, so the list holds them.
 */
export function keepArrivedSince(fetchedAt: number): void {
  arrived.value = arrived.value.filter((a) => a.at >= fetchedAt);
}

/** Numbers the count requests: only the newest one's answer is shown (an older one may predate an alert). */
let countRequest = 0;

export async function refreshCount(userId: string): Promise<void> {
  const request = ++countRequest;
  const count = await api<{ unread: number; total: number }>('GET', `/users/${encodeURIComponent(userId)}/alerts/count`);
  if (request === countRequest) unread.value = count.unread;
}

/**
 * Follows the stream for `userId`; the count is re-read on every (re)connection and after every
 * alert (an alert is announced only once it is stored, so that count includes it; a count asked
 * for earlier, e.g. when the stream opened, is then discarded instead of overwriting it). Returns stop.
 */
export function startLiveAlerts(userId: string): () => void {
  // a burst of alerts costs one count request in flight and at most one after it, not one each
  let running = false;
  let again = false;
  const recount = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    void refreshCount(userId)
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) recount();
      });
  };
  return followAlerts(
    userId,
    (alert) => {
      arrived.value = [{ alert, at: performance.now() }, ...arrived.value.filter((a) => a.alert.id !== alert.id)];
      if (alert.read_at === null) unread.value += 1;
      recount();
    },
    () => {
      streamOpens.value += 1;
      recount();
    },
  );
}
