/**
 * The alert channel's only I/O on the send path: store the alert, then announce it to live
 * streams. Invariant: only a newly created alert is announced, so a redelivered message neither
 * duplicates the stored alert nor shows it twice on a live stream.
 */
import { toAlertJson, type NewAlert } from './alert.js';
import type { AlertStore, InsertResult } from './alert-store.js';
import type { LiveAlerts } from './live-alerts.js';

export class AlertTransport {
  constructor(
    private readonly store: AlertStore,
    private readonly live: LiveAlerts,
  ) {}

  async deliver(alert: NewAlert): Promise<InsertResult> {
    const result = await this.store.insert(alert);
    if (result.created) this.live.publish(toAlertJson(result.alert));
    return result;
  }
}
