/**
 * Fans one channel message out to the destination's endpoints and folds the per-endpoint results
 * into one outcome (SPEC §5):
 * - system destination → every endpoint without owner; personal → the user's endpoints; none →
 *   `dropped`, saying so;
 * - each endpoint is sent to independently and in parallel (a hanging endpoint only costs its
 *   own timeout);
 * - what happened per endpoint is recorded per delivery id, so a retry sends only to endpoints
 *   still pending: no endpoint receives the same delivery twice;
 * - an endpoint in `inactive_tmp` (or put there by this attempt) makes the message wait, not drop:
 *   the outcome is `retry` with `waiting: true`, redelivered when the endpoint is due back (60 s
 *   after its last error); a message that waited longer than `maxDeferMs` for it is dropped for it;
 * - `delivered` when every receiving endpoint accepted; `retry` (waiting) while some endpoint is
 *   inactive_tmp; `failed` when some failed permanently (their status changed); `dropped` when no
 *   endpoint received it (inactive_permanent, waited too long) — each detail names the endpoints;
 *   the plugin dead-letters `failed` and `dropped` messages so they can be replayed;
 * - after a POST, its outcome is recorded with retries until the write succeeds: a database
 *   failure never makes the plugin POST the same delivery again (SPEC §8).
 */
import { randomUUID } from 'node:crypto';
import { outcomes, retryBookkeeping, type ChannelMessage, type Logger, type SendOutcome, type Cidr } from '@herald/contracts';
import type { Clock } from './clock.js';
import type { Endpoint, EndpointStore, OwnerFilter } from './endpoint-store.js';
import { classifyAttempt, type AttemptResult, type AttemptVerdict } from './errors.js';
import { buildHeaders, ownerOf, renderPing, renderUser, type WebhookRequest } from './render.js';
import { isReceiving, msUntilReactivation, REACTIVATION_DELAY_MS } from './status.js';
import { checkTarget } from './target-guard.js';
import type { PostRequest, Resolver } from './transport.js';

/** Endpoints sent to at once for one message. */
const FAN_OUT = 32;
/** How often the due `inactive_tmp` endpoints are reactivated before a send, ms. */
const REACTIVATION_CHECK_MS = 1_000;
/** Enough for any destination; endpoints beyond it are not silently skipped, see `deliver`. */
const MAX_ENDPOINTS = 10_000;
/** Retries of a bookkeeping write after a POST: 100 ms doubling to 5 s, until it succeeds. */
const RECORD_RETRY_BASE_MS = 100;
const RECORD_RETRY_MAX_MS = 5_000;
/** Shortest wait for an endpoint's reactivation, ms. */
const MIN_WAIT_MS = 1_000;
/** Default longest wait of a message for an `inactive_tmp` endpoint: 24 h. */
export const DEFAULT_MAX_DEFER_MS = 24 * 60 * 60 * 1_000;

export interface DispatcherOptions {
  readonly store: EndpointStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Plugin version, for `User-Agent`. */
  readonly version: string;
  /** `HERALD_WEBHOOKS_ALLOW_PRIVATE`. */
  readonly allow: readonly Cidr[];
  readonly resolver: Resolver;
  readonly post: (request: PostRequest) => Promise<AttemptResult>;
  /** Longest wait of a message for an `inactive_tmp` endpoint before it is dropped, ms (`HERALD_WEBHOOKS_MAX_DEFER_SECONDS`). */
  readonly maxDeferMs: number;
}

type EndpointResult =
  | { readonly kind: 'delivered'; readonly endpoint: Endpoint; readonly detail: string }
  | { readonly kind: 'pending'; readonly endpoint: Endpoint; readonly detail: string; readonly retryInMs: number }
  | { readonly kind: 'failed'; readonly endpoint: Endpoint; readonly detail: string }
  | { readonly kind: 'dropped'; readonly endpoint: Endpoint; readonly detail: string };

export function describeEndpoint(endpoint: Endpoint): string {
  return `endpoint "${endpoint.name}" (${endpoint.id})`;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class WebhookDispatcher {
  private lastReactivationAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: DispatcherOptions) {}

  /**
   * The same dispatcher with another private-address allow list: the warm-up POSTs to a loopback
   * server of its own through `attempt`, which the deployment's list need not allow.
   */
  allowing(allow: readonly Cidr[]): WebhookDispatcher {
    return new WebhookDispatcher({ ...this.options, allow });
  }

  /** One POST to one endpoint: SSRF guard, headers (signed when the endpoint has secrets), send, classify. */
  async attempt(endpoint: Endpoint, request: WebhookRequest, timeoutMs: number, signal?: AbortSignal): Promise<AttemptVerdict> {
    const check = await checkTarget(endpoint.url, this.options.allow, this.options.resolver);
    if (!check.ok)
      return { kind: 'permanent', note: check.kind === 'unsafe' ? `Refused: ${check.message}` : `Exception: ${check.message}` };
    const now = this.options.clock.now();
    const headers = buildHeaders({
      request,
      version: this.options.version,
      customHeader:
        endpoint.header_name !== null && endpoint.header_value !== null
          ? { name: endpoint.header_name, value: endpoint.header_value }
          : null,
      signingSecrets: endpoint.signing_secrets,
      timestampSeconds: Math.floor(now.getTime() / 1_000),
    });
    const result = await this.options.post({
      url: check.url,
      address: check.address,
      headers,
      body: request.body,
      timeoutMs,
      now,
      ...(signal ? { signal } : {}),
    });
    return classifyAttempt(result);
  }

  /** Sends `ping` to one endpoint (creation check, `POST /webhooks/{id}/test`); changes no status. */
  async ping(endpoint: Endpoint, siteUrl: string, timeoutMs: number): Promise<AttemptVerdict> {
    // `user` is the owner, as in DefectDojo; until a personal delivery told its name, only its id is known.
    const owner = endpoint.owner === null ? null : (endpoint.owner_name ?? renderUser({ username: endpoint.owner, full_name: '' }));
    return this.attempt(endpoint, renderPing(`ping_${randomUUID()}`, siteUrl, owner), timeoutMs);
  }

  /**
   * A bookkeeping write after a POST whose outcome must not be lost, retried until it succeeds
   * (the SDK's `retryBookkeeping`: retrying the whole message would POST again). Gives up only when
   * the plugin is shutting down (`signal`); the message is then redelivered and, having no record,
   * sent again: the one duplicate window.
   */
  private durably<T>(what: string, write: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return retryBookkeeping(`webhooks: ${what}`, write, {
      logger: this.options.logger,
      initialDelayMs: RECORD_RETRY_BASE_MS,
      maxDelayMs: RECORD_RETRY_MAX_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /**
   * Delivers one channel message to every endpoint of its destination. `messageId` (its
   * `Nats-Msg-Id`) tells a first delivery (the delivery id) from a deferred message published
   * again by this plugin (`resumeMessageId`) and from a dead letter replayed by an operator (any
   * other id): a replay tries again the endpoints that dropped or failed this delivery, never
   * those that received it.
   */
  async deliver(
    message: ChannelMessage,
    request: WebhookRequest,
    timeoutMs: number,
    signal?: AbortSignal,
    messageId: string = message.delivery_id,
  ): Promise<SendOutcome> {
    const { store, clock } = this.options;
    const resumed = isResumeOf(messageId, message.delivery_id);
    const replay = messageId !== message.delivery_id && !resumed;
    // The 60 s inactive_tmp → active_tmp step needs second precision, not a write per message.
    const started = clock.now().getTime();
    if (started - this.lastReactivationAt >= REACTIVATION_CHECK_MS || started < this.lastReactivationAt) {
      await store.reactivateDue(clock.now());
      this.lastReactivationAt = started;
    }
    const destination = message.destination;
    const filter: OwnerFilter = destination.scope === 'system' ? { kind: 'system' } : { kind: 'user', userId: destination.user.id };
    const targets = await store.endpointsForDelivery(filter, message.delivery_id, MAX_ENDPOINTS);
    if (targets.length === 0) {
      return outcomes.dropped(
        destination.scope === 'system'
          ? 'no system webhook endpoint: system notifications go to endpoints without an owner and none exists (create one with POST /api/v1/webhooks)'
          : `user ${destination.user.username} (${destination.user.id}) has no webhook endpoint: personal notifications go to the endpoints the user owns`,
      );
    }
    const ownerName = ownerOf(destination);
    if (ownerName !== null) {
      const stale = targets.filter((t) => t.endpoint.owner_name !== ownerName).map((t) => t.endpoint.id);
      if (stale.length > 0) await store.setOwnerName(stale, ownerName);
    }
    const maxWaitMs = this.options.maxDeferMs;
    const results = await mapLimit(targets, FAN_OUT, async ({ endpoint, record }): Promise<EndpointResult> => {
      const label = describeEndpoint(endpoint);
      if (record?.state === 'delivered') return { kind: 'delivered', endpoint, detail: `${label}: delivered by an earlier attempt` };
      if (!replay && record?.state === 'failed') return { kind: 'failed', endpoint, detail: record.detail ?? `${label}: failed` };
      if (!replay && record?.state === 'dropped') return { kind: 'dropped', endpoint, detail: record.detail ?? `${label}: dropped` };
      const now = clock.now();
      // Waiting since the first wait of this delivery for this endpoint (a replay starts afresh).
      const since = record?.state === 'pending' && record.since !== null ? record.since : now;
      const drop = async (detail: string, at = now): Promise<EndpointResult> => {
        await this.durably('record dropped', () => store.recordDelivery(message.delivery_id, endpoint.id, 'dropped', detail, at), signal);
        return { kind: 'dropped', endpoint, detail };
      };
      const tooOld = (at: Date): string | null => {
        const age = at.getTime() - since.getTime();
        return age > maxWaitMs
          ? `${label} stayed inactive_tmp while this message waited ${Math.round(age / 1_000)} s, longer than the maximum of ${Math.round(maxWaitMs / 1_000)} s (HERALD_WEBHOOKS_MAX_DEFER_SECONDS)`
          : null;
      };
      if (endpoint.status === 'inactive_tmp') {
        const expired = tooOld(now);
        if (expired !== null) return drop(expired);
        const wait = msUntilReactivation(endpoint, now);
        const detail = `${label} is inactive_tmp (${endpoint.note ?? 'temporary failure'}); waiting for its reactivation in ${Math.ceil(wait / 1_000)} s`;
        // Skip the write when the record already says the delivery waits for this endpoint.
        if (record?.state !== 'pending') await store.recordDelivery(message.delivery_id, endpoint.id, 'pending', detail, now, since);
        return { kind: 'pending', endpoint, detail, retryInMs: Math.max(MIN_WAIT_MS, wait) };
      }
      if (!isReceiving(endpoint.status)) return drop(`${label} is ${endpoint.status}${endpoint.note ? ` (${endpoint.note})` : ''}`);
      const verdict = await this.attempt(endpoint, request, timeoutMs, signal);
      const after = clock.now();
      switch (verdict.kind) {
        case 'accepted':
          await this.durably(
            'record delivered',
            () => store.recordDelivery(message.delivery_id, endpoint.id, 'delivered', null, after),
            signal,
          );
          return { kind: 'delivered', endpoint, detail: `${label}: ${verdict.status}` };
        case 'temporary':
        case 'permanent': {
          const updated =
            (await this.durably(
              'record endpoint failure',
              () => store.recordFailure(endpoint.id, verdict.kind, verdict.note, after),
              signal,
            )) ?? endpoint;
          const detail = `${label}: ${verdict.note}; now ${updated.status}`;
          this.options.logger.warn('webhook endpoint failed', {
            endpoint_id: endpoint.id,
            endpoint: endpoint.name,
            note: verdict.note,
            status: updated.status,
          });
          if (updated.status === 'inactive_tmp') {
            const expired = tooOld(after);
            if (expired !== null) return drop(`${expired}; last attempt: ${verdict.note}`, after);
            await this.durably(
              'record pending',
              () => store.recordDelivery(message.delivery_id, endpoint.id, 'pending', detail, after, since),
              signal,
            );
            const waitMs = Math.max(REACTIVATION_DELAY_MS, verdict.kind === 'temporary' ? (verdict.retryAfterMs ?? 0) : 0);
            return { kind: 'pending', endpoint: updated, detail, retryInMs: waitMs };
          }
          await this.durably(
            'record failed',
            () => store.recordDelivery(message.delivery_id, endpoint.id, 'failed', detail, after),
            signal,
          );
          return { kind: 'failed', endpoint: updated, detail };
        }
      }
    });
    const outcome = summarise(results);
    if (outcome.kind === 'retry') {
      // Waiting is not failing (SPEC §5): the message is stored and acked, and published again
      // (see `resumeDeferred`) once one of the endpoints it waits for is due back.
      const pending = results.filter((r) => r.kind === 'pending');
      const dueAt = new Date(clock.now().getTime() + (outcome.afterMs ?? 0));
      await store.defer(
        message.delivery_id,
        JSON.stringify(message),
        pending.map((r) => r.endpoint.id),
        dueAt,
        clock.now(),
      );
      return { ...outcome, deferred: true };
    }
    if (resumed) await store.forgetDeferred(message.delivery_id);
    return outcome;
  }
}

/** The message id of the `resumes`-th re-publish of a deferred delivery. */
export function resumeMessageId(deliveryId: string, resumes: number): string {
  return `${deliveryId}:resume:${resumes}`;
}

function isResumeOf(messageId: string, deliveryId: string): boolean {
  return messageId.startsWith(`${deliveryId}:resume:`);
}

function summarise(results: readonly EndpointResult[]): SendOutcome {
  const of = (kind: EndpointResult['kind']): EndpointResult[] => results.filter((r) => r.kind === kind);
  const delivered = of('delivered');
  const pending = of('pending');
  const failed = of('failed');
  const dropped = of('dropped');
  const total = results.length;
  const tally = `delivered to ${delivered.length} of ${total} endpoint(s)`;
  const list = (items: EndpointResult[]): string => items.map((r) => r.detail).join('; ');
  const others = [failed.length ? `failed: ${list(failed)}` : '', dropped.length ? `dropped: ${list(dropped)}` : ''].filter(
    (s) => s !== '',
  );
  if (pending.length > 0) {
    // Goes on when the first endpoint it waits for is due back.
    const wait = Math.min(...pending.map((r) => (r.kind === 'pending' ? r.retryInMs : 0)));
    return outcomes.retry([`${tally}; waiting for ${pending.length}: ${list(pending)}`, ...others].join('; '), wait);
  }
  if (failed.length > 0)
    return outcomes.failed(
      [`${tally}; ${failed.length} failed permanently: ${list(failed)}`, ...(dropped.length ? [`dropped: ${list(dropped)}`] : [])].join(
        '; ',
      ),
    );
  if (delivered.length === 0) return outcomes.dropped(`no receiving webhook endpoint: ${list(dropped)}`);
  return outcomes.delivered(dropped.length ? `${tally}; dropped: ${list(dropped)}` : tally);
}
