/**
 * Alert retention on request (SPEC §6 "alert retention", every 8 h by the gateway's scheduler).
 * In all-in-one mode the scheduler calls `AlertStore.applyRetention` directly; when the plugin runs
 * as its own process, the scheduler asks over core NATS: request `<prefix>.internal.alert-retention`
 * (queue group `alert`, so one replica runs it), reply `{ "deleted": n }` or `{ "error": "…" }`.
 * Invariant: running it twice deletes nothing more (`applyRetention` is idempotent).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects, type Logger } from '@herald/contracts';
import type { AlertStore } from './alert-store.js';

/** Reply of `<prefix>.internal.alert-retention`. */
export type RetentionReply = { readonly deleted: number } | { readonly error: string };

export function retentionSubject(prefix: string): string {
  return subjects(prefix).internal('alert-retention');
}

/** Answers retention requests until the returned subscription is unsubscribed. */
export function serveRetentionRequests(
  nc: NatsConnection,
  prefix: string,
  store: AlertStore,
  maxPerUser: number,
  logger: Logger,
): Subscription {
  return nc.subscribe(retentionSubject(prefix), {
    queue: 'alert',
    callback: (error, msg) => {
      if (error) return;
      void (async () => {
        let reply: RetentionReply;
        try {
          const deleted = await store.applyRetention(maxPerUser);
          logger.info('alert retention applied', { max_per_user: maxPerUser, deleted });
          reply = { deleted };
        } catch (err) {
          logger.error('alert retention failed', { error: err });
          reply = { error: (err as Error).message };
        }
        msg.respond(JSON.stringify(reply));
      })();
    },
  });
}
