/**
 * The live alert hub behind `GET /users/{id}/alerts/stream`, working across replicas: the replica
 * that stores an alert publishes it on core NATS (`<prefix>.internal.alerts.<user token>`), and
 * every replica with a stream open for that user subscribes to that user's subject. A replica
 * holds one NATS subscription per user with open streams, dropped with the last stream.
 *
 * Invariants: live delivery is best effort (the alert is already stored; a client that missed it
 * sees it in the list); the local replica receives its own alerts through NATS too, so every
 * client sees one path and one order; `subscribe` resolves only once the server has the
 * subscription, so an alert stored after it resolves reaches the listener.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects, type Logger } from '@herald/contracts';
import type { AlertJson } from './alert.js';

export type AlertListener = (alert: AlertJson) => void;

/** Publishes stored alerts and fans them out to open streams. */
export interface LiveAlerts {
  publish(alert: AlertJson): void;
  /** Calls `listener` with every alert published for `userId` until the returned function is called. */
  subscribe(userId: string, listener: AlertListener): Promise<() => void>;
  /** Drops every subscription. */
  close(): void;
}

const SAFE_TOKEN = /^[A-Za-z0-9-][A-Za-z0-9_-]*$/;

/**
 * A subject token for a user id: the id itself when it is a plain token not starting with `_`,
 * otherwise `_` + base64url of the id. Injective: ids mapped raw never start with `_`.
 */
export function userToken(userId: string): string {
  return SAFE_TOKEN.test(userId) ? userId : `_${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

/** `<prefix>.internal.alerts.<user token>`. */
export function liveAlertSubject(prefix: string, userId: string): string {
  return `${subjects(prefix).internal('alerts')}.${userToken(userId)}`;
}

interface UserChannel {
  readonly subscription: Subscription;
  readonly listeners: Set<AlertListener>;
}

export class NatsLiveAlerts implements LiveAlerts {
  private readonly users = new Map<string, UserChannel>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  publish(alert: AlertJson): void {
    try {
      this.nc.publish(liveAlertSubject(this.prefix, alert.user_id), JSON.stringify(alert));
    } catch (error) {
      this.logger.warn('live alert not published; open streams miss it, the list has it', { alert_id: alert.id, error });
    }
  }

  async subscribe(userId: string, listener: AlertListener): Promise<() => void> {
    let channel = this.users.get(userId);
    if (channel === undefined) {
      const listeners = new Set<AlertListener>();
      const subscription = this.nc.subscribe(liveAlertSubject(this.prefix, userId), {
        callback: (error, msg) => {
          if (error) return;
          let alert: AlertJson;
          try {
            alert = msg.json<AlertJson>();
          } catch (parseError) {
            this.logger.warn('ignored a malformed live alert', { subject: msg.subject, error: parseError });
            return;
          }
          for (const l of [...listeners]) l(alert);
        },
      });
      channel = { subscription, listeners };
      this.users.set(userId, channel);
    }
    channel.listeners.add(listener);
    await this.nc.flush();
    const owned = channel;
    return () => {
      owned.listeners.delete(listener);
      if (owned.listeners.size === 0 && this.users.get(userId) === owned) {
        this.users.delete(userId);
        owned.subscription.unsubscribe();
      }
    };
  }

  close(): void {
    for (const channel of this.users.values()) channel.subscription.unsubscribe();
    this.users.clear();
  }
}
