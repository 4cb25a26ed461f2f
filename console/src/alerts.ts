/** The signed-in user's unread count and newly arrived alerts, kept live by the alerts stream. */
import { signal } from '@preact/signals';
import { api } from './api.js';
import { followAlerts, type AlertJson } from './live-alerts.js';

export const unread = signal(0);
/** Alerts received on the stream since the inbox last loaded its list (newest first). */
export const arrived = signal<AlertJson[]>([]);

export async function refreshCount(userId: string): Promise<void> {
  const count = await api<{ unread: number; total: number }>('GET', `/users/${encodeURIComponent(userId)}/alerts/count`);
  unread.value = count.unread;
}

/** Follows the stream for `userId`; the count is re-read on every (re)connection. Returns stop. */
export function startLiveAlerts(userId: string): () => void {
  return followAlerts(
    userId,
    (alert) => {
      arrived.value = [alert, ...arrived.value.filter((a) => a.id !== alert.id)];
      if (alert.read_at === null) unread.value += 1;
    },
    () => void refreshCount(userId).catch(() => undefined),
  );
}
