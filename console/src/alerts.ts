/** The signed-in user's unread count and newly arrived alerts, kept live by the alerts stream. */
import { signal } from '@preact/signals';
import { api } from './api.js';
import { followAlerts, type AlertJson } from './live-alerts.js';

export const unread = signal(0);
/** Alerts received on the stream since the inbox last loaded its list (newest first). */
export const arrived = signal<AlertJson[]>([]);

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
      arrived.value = [alert, ...arrived.value.filter((a) => a.id !== alert.id)];
      if (alert.read_at === null) unread.value += 1;
      recount();
    },
    recount,
  );
}
