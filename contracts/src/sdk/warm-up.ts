/**
 * A plugin's warm-up before readiness (issue 15, "no cold start"). The first seconds of traffic
 * used to run on code V8 had not compiled yet; at a rate near a replica's capacity that alone
 * built a backlog the replica took seconds to drain (bench: p50 by second 880 → 150 ms at
 * 500 events/s on a fresh plugin, 25 ms flat on a warm one). So `runPlugin` first decodes and
 * validates synthetic channel messages for a short budget (the SDK's own path), exercises the NATS
 * client's request path and the delivery ledger's reads when the plugin has a ledger (nothing is
 * written to a stream), then
 * runs the plugin's `warmUp` hook (its render and send path), and only then starts the consumer.
 *
 * The SDK's part is bounded twice: by time (a slow machine stops early) and by count (a fast one
 * stops once V8 has seen the path a few thousand times: more only made garbage, ≈ 6 KB per
 * request, that grew the heap before the first message). And it is done once per process: where
 * several plugins run in one process (the all-in-one `npm start`) they share the decoder's and the
 * client's compiled code, so a later plugin warms only what no earlier one did (its ledger reads,
 * its own `warmUp` hook).
 */
import { createInbox, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { channelMessageHeaders, MESSAGE_HEADERS, type ChannelMessage } from '../channel-message.js';
import type { Logger } from '../logger.js';
import type { PluginDefinition } from './plugin.js';

/** Time spent at most on the SDK's decoding path, ms. */
const DECODE_BUDGET_MS = 100;
/** Messages decoded at most: V8 optimises a function after ≈ 100 calls (Maglev) and a few thousand (TurboFan). */
export const MAX_WARM_UP_DECODES = 2_000;
/** Time spent at most on the NATS client's request path, ms. */
const NATS_BUDGET_MS = 300;
/** Requests (and ledger reads) at most, 16 at a time. */
export const MAX_WARM_UP_REQUESTS = 2_048;

/** Decoders already warmed in this process (the same function: the same compiled code). */
const warmDecoders = new WeakSet<object>();
/** Connections whose request path was warmed, and those whose ledger reads were too. */
const warmConnections = new WeakSet<NatsConnection>();
const warmLedgerConnections = new WeakSet<NatsConnection>();

/** What the SDK warms on the NATS connection, all of it without writing to any stream. */
export interface NatsWarmUp {
  readonly connection: NatsConnection;
  /**
   * A read of the delivery ledger (a key that does not exist: the lookup of a first delivery).
   * @default none: the plugin keeps its own idempotency record (`idempotentSend`)
   */
  readonly ledgerGet?: (deliveryId: string) => Promise<unknown>;
}

/**
 * Requests on an inbox subject of its own (answered by its own subscription: core NATS, no stream) and
 * ledger lookups of keys that do not exist, 16 at a time, for up to 300 ms: the client's request
 * machinery and the KV read path every message takes. Every other request carries a delivered
 * channel message's headers (`channelMessageHeaders` and `Nats-Msg-Id`) and its reply a
 * `Nats-Msg-Id`, read on arrival, as a delivered channel message is: the client parses a message with headers on its own path (HMSG), which bare requests never reach.
 */
async function warmNats(nats: NatsWarmUp): Promise<number> {
  // an inbox subject: every Herald user may publish and subscribe `_INBOX.>` (README, NATS permissions)
  const subject = createInbox();
  const sub = nats.connection.subscribe(subject, {
    callback: (_error, msg) => {
      const id = msg.headers?.get(MESSAGE_HEADERS.msgId);
      if (id === undefined || id === '') msg.respond(msg.data);
      else {
        const h = headers();
        h.set(MESSAGE_HEADERS.msgId, id);
        msg.respond(msg.data, { headers: h });
      }
    },
  });
  const payload = new TextEncoder().encode(JSON.stringify(syntheticChannelMessage('warm-up')));
  const started = performance.now();
  let requests = 0;
  try {
    while (performance.now() - started < NATS_BUDGET_MS && requests < MAX_WARM_UP_REQUESTS) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const id = `herald-warm-up:${requests + i}`;
          if (i % 2 === 0) await nats.connection.request(subject, payload, { timeout: 2_000 });
          else {
            const reply = await nats.connection.request(subject, payload, { timeout: 2_000, headers: deliveryHeaders(id) });
            if (reply.headers?.get(MESSAGE_HEADERS.msgId) !== id) throw new Error('the warm-up reply lost its Nats-Msg-Id header');
          }
          await nats.ledgerGet?.(id);
        }),
      );
      requests += 16;
    }
  } finally {
    sub.unsubscribe();
  }
  warmConnections.add(nats.connection);
  if (nats.ledgerGet !== undefined) warmLedgerConnections.add(nats.connection);
  return requests;
}

/** A synthetic channel message's headers as a consumer receives them: `channelMessageHeaders` and its `Nats-Msg-Id`. */
function deliveryHeaders(id: string): MsgHdrs {
  const h = channelMessageHeaders(id, 'product_added');
  h.set(MESSAGE_HEADERS.msgId, id);
  return h;
}

/** Whether this connection still needs the request warm-up (never done, or done without the ledger reads this plugin takes). */
function natsIsCold(nats: NatsWarmUp): boolean {
  return !warmConnections.has(nats.connection) || (nats.ledgerGet !== undefined && !warmLedgerConnections.has(nats.connection));
}

/**
 * A valid channel message for `channel` to a system destination, with a full `product_added`
 * event: for warm-ups only (nothing built from it may leave the process).
 */
export function syntheticChannelMessage(channel: string, index = 0): ChannelMessage {
  return {
    delivery_id: `herald-warm-up:${channel}:${index}`,
    channel,
    destination: { scope: 'system' },
    site_url: 'http://localhost',
    event_label: 'Product Added',
    event: {
      specversion: '1.0',
      id: `herald-warm-up-${index}`,
      source: 'herald-warm-up',
      type: 'product_added',
      time: new Date().toISOString(),
      data: {
        title: `Warm-up ${index}`,
        description: 'A synthetic event, never published.',
        url: `/product/${index}`,
        product: { id: String(index), name: `Product ${index}`, product_type_id: '1' },
      },
    },
  };
}

/**
 * Runs the warm-up: `decode` (the SDK's decoder) over synthetic messages for up to 100 ms or
 * 2 000 messages, requests (and ledger reads) for up to 300 ms or 2 048, then `plugin.warmUp`.
 * A decoder or connection already warmed in this process is not warmed again (`reused` in the
 * log line names what was skipped). Never throws: a failing warm-up is logged and the plugin starts
 * cold.
 */
export async function warmUpPlugin(
  plugin: Pick<PluginDefinition<unknown, unknown>, 'channel' | 'warmUp'>,
  decode: (data: Uint8Array) => { ok: boolean },
  logger: Logger,
  nats?: NatsWarmUp,
): Promise<void> {
  const started = performance.now();
  let decoded = 0;
  const reused: string[] = [];
  try {
    if (warmDecoders.has(decode)) reused.push('decode');
    else {
      const samples = Array.from({ length: 16 }, (_, i) => Buffer.from(JSON.stringify(syntheticChannelMessage(plugin.channel, i))));
      while (performance.now() - started < DECODE_BUDGET_MS && decoded < MAX_WARM_UP_DECODES) {
        const result = decode(samples[decoded % samples.length]!);
        if (!result.ok) throw new Error('the synthetic channel message did not decode');
        decoded++;
      }
      warmDecoders.add(decode);
    }
    let requests = 0;
    if (nats !== undefined) {
      if (natsIsCold(nats)) requests = await warmNats(nats);
      else reused.push('requests');
    }
    await plugin.warmUp?.();
    logger.info('warmed up', {
      channel: plugin.channel,
      decoded,
      requests,
      ...(reused.length > 0 ? { reused } : {}),
      ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    logger.warn('warm-up failed; starting without it', { channel: plugin.channel, error });
  }
}
