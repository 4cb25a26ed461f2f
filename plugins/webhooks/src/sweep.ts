/**
 * The every-minute webhook status sweep (SPEC §5, §6), DefectDojo's `webhook_status_cleanup`:
 * - `active_tmp` endpoints with no error for 24 h → `active`, errors cleared, note
 *   "Reactivation from active_tmp";
 * - `inactive_tmp` endpoints whose last error is older than 5 min → `active_tmp` (the 60 s
 *   reactivation normally happens earlier, when a message reaches the endpoint; this catches the
 *   ones no message touched);
 * - per-endpoint delivery records older than 7 days are forgotten (far beyond any retry).
 * The gateway's scheduler triggers it through `<prefix>.internal.webhooks-sweep` (request-reply).
 */
import type { EndpointStore, SweepResult } from './endpoint-store.js';

/** How long per-endpoint delivery records are kept, ms. */
export const DELIVERY_RECORD_RETENTION_MS = 7 * 24 * 60 * 60 * 1_000;

export interface SweepReport extends SweepResult {
  readonly pruned_delivery_records: number;
}

export async function sweepEndpoints(store: EndpointStore, now: Date): Promise<SweepReport> {
  const result = await store.sweep(now);
  const pruned = await store.pruneDeliveryRecords(new Date(now.getTime() - DELIVERY_RECORD_RETENTION_MS));
  return { ...result, pruned_delivery_records: pruned };
}
