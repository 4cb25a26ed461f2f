/**
 * Fans one channel message out to the destination's endpoints and folds the per-endpoint results
 * into one outcome (SPEC §5):
 * - system destination → every endpoint without owner; personal → the user's endpoints; none →
 *   `dropped`, saying so;
 * - each endpoint is sent to independently and in parallel (a hanging endpoint only costs its
 *   own timeout);
 * - what happened per endpoint is recorded per delivery id, so a retry sends only to endpoints
 *   still pending: no endpoint receives the same delivery twice;
 * - `delivered` when every receiving endpoint accepted; `retry` when some failed temporarily (the
 *   retry waits for their 60 s reactivation); `failed` when some failed permanently (their status
 *   changed); `dropped` when no endpoint was receiving — each detail names the endpoints.
 */
import { randomUUID } from 'node:crypto';
import { outcomes, type ChannelMessage, type Logger, type SendOutcome } from '@herald/contracts';
import type { Cidr } from './address-policy.js';
import type { Clock } from './clock.js';
import type { Endpoint, EndpointStore, OwnerFilter } from './endpoint-store.js';
import { classifyAttempt, type AttemptResult, type AttemptVerdict } from './errors.js';
import { buildHeaders, renderPing, type WebhookRequest } from './render.js';
import { isReceiving, msUntilReactivation, REACTIVATION_DELAY_MS } from './status.js';
import { checkTarget } from './target-guard.js';
import type { PostRequest, Resolver } from './transport.js';

/** Endpoints sent to at once for one message. */
const FAN_OUT = 32;
/** How often the due `inactive_tmp` endpoints are reactivated before a send, ms. */
const REACTIVATION_CHECK_MS = 1_000;
/** Enough for any destination; endpoints beyond it are not silently skipped, see `deliver`. */
const MAX_ENDPOINTS = 10_000;

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
    return this.attempt(endpoint, renderPing(`ping_${randomUUID()}`, siteUrl), timeoutMs);
  }

  /** Delivers one channel message to every endpoint of its destination. */
  async deliver(message: ChannelMessage, request: WebhookRequest, timeoutMs: number, signal?: AbortSignal): Promise<SendOutcome> {
    const { store, clock } = this.options;
    // The 60 s inactive_tmp → active_tmp step needs second precision, not a write per message.
    const started = clock.now().getTime();
    if (started - this.lastReactivationAt >= REACTIVATION_CHECK_MS || started < this.lastReactivationAt) {
      await store.reactivateDue(clock.now());
      this.lastReactivationAt = started;
    }
    const destination = message.destination;
    const filter: OwnerFilter = destination.scope === 'system' ? { kind: 'system' } : { kind: 'user', userId: destination.user.id };
    const endpoints = await store.list(filter, MAX_ENDPOINTS);
    if (endpoints.length === 0) {
      return outcomes.dropped(
        destination.scope === 'system'
          ? 'no system webhook endpoint: system notifications go to endpoints without an owner and none exists (create one with POST /api/v1/webhooks)'
          : `user ${destination.user.username} (${destination.user.id}) has no webhook endpoint: personal notifications go to the endpoints the user owns`,
      );
    }
    const records = await store.deliveryRecords(message.delivery_id);
    const results = await mapLimit(endpoints, FAN_OUT, async (endpoint): Promise<EndpointResult> => {
      const record = records.get(endpoint.id);
      const label = describeEndpoint(endpoint);
      if (record?.state === 'delivered') return { kind: 'delivered', endpoint, detail: `${label}: delivered by an earlier attempt` };
      if (record?.state === 'failed') return { kind: 'failed', endpoint, detail: record.detail ?? `${label}: failed` };
      if (record?.state === 'dropped') return { kind: 'dropped', endpoint, detail: record.detail ?? `${label}: dropped` };
      const now = clock.now();
      if (!isReceiving(endpoint.status)) {
        if (record?.state === 'pending' && endpoint.status === 'inactive_tmp') {
          const wait = msUntilReactivation(endpoint, now);
          return {
            kind: 'pending',
            endpoint,
            detail: `${label} is inactive_tmp until its reactivation in ${Math.ceil(wait / 1_000)} s`,
            retryInMs: wait,
          };
        }
        const detail = `${label} is ${endpoint.status}${endpoint.note ? ` (${endpoint.note})` : ''}`;
        await store.recordDelivery(message.delivery_id, endpoint.id, 'dropped', detail, now);
        return { kind: 'dropped', endpoint, detail };
      }
      const verdict = await this.attempt(endpoint, request, timeoutMs, signal);
      const after = clock.now();
      switch (verdict.kind) {
        case 'accepted':
          await store.recordDelivery(message.delivery_id, endpoint.id, 'delivered', null, after);
          return { kind: 'delivered', endpoint, detail: `${label}: ${verdict.status}` };
        case 'temporary':
        case 'permanent': {
          const updated = (await store.recordFailure(endpoint.id, verdict.kind, verdict.note, after)) ?? endpoint;
          const detail = `${label}: ${verdict.note}; now ${updated.status}`;
          this.options.logger.warn('webhook endpoint failed', {
            endpoint_id: endpoint.id,
            endpoint: endpoint.name,
            note: verdict.note,
            status: updated.status,
          });
          if (updated.status === 'inactive_tmp') {
            await store.recordDelivery(message.delivery_id, endpoint.id, 'pending', detail, after);
            const retryInMs = Math.max(REACTIVATION_DELAY_MS, verdict.kind === 'temporary' ? (verdict.retryAfterMs ?? 0) : 0);
            return { kind: 'pending', endpoint: updated, detail, retryInMs };
          }
          await store.recordDelivery(message.delivery_id, endpoint.id, 'failed', detail, after);
          return { kind: 'failed', endpoint: updated, detail };
        }
      }
    });
    return summarise(results);
  }
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
    const wait = Math.max(...pending.map((r) => (r.kind === 'pending' ? r.retryInMs : 0)));
    return outcomes.retry([`${tally}; retrying ${pending.length}: ${list(pending)}`, ...others].join('; '), wait);
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
