/**
 * SPEC §8 for the SDK's consume loop: "a failure of Herald's own bookkeeping never causes a
 * re-send", and another replica takes over a crashed one's messages within 10 s "without
 * redelivering slow but live work". Real JetStream and KV; the faults are real too: the ledger's
 * KV stream is deleted right after the provider accepted the send (so recording the outcome
 * fails) and re-created later, and a send outlasts the consumer's ack wait.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import { TAKE_OVER_ACK_WAIT_MS, topology } from '../topology.js';
import { startPluginHarness, type PluginHarness } from '../testing/plugin-harness.js';
import { pluginBuckets } from './buckets.js';
import { SINGLE_REPLICA } from '../jetstream/stream-storage.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { StreamPublisher } from '../jetstream/stream-publisher.js';
import { definePlugin, outcomes } from './plugin.js';

const sends: Array<{ deliveryId: string; attempt: number }> = [];
const beforeAnswer = new Map<string, () => Promise<void>>();
const plugin = definePlugin<{ room: string }, { text: string }>({
  channel: 'faults',
  version: '1.0.0',
  configSchema: z.strictObject({ room: z.string() }),
  render: (message) => ({ text: message.delivery_id }),
  send: async (_request, context) => {
    sends.push({ deliveryId: context.message.delivery_id, attempt: context.attempt });
    await beforeAnswer.get(context.message.delivery_id)?.();
    return outcomes.delivered();
  },
});
const sendsOf = (id: string): number[] => sends.filter((s) => s.deliveryId === id).map((s) => s.attempt);

let harness: PluginHarness<{ room: string }>;

beforeAll(async () => {
  harness = await startPluginHarness({ plugin, config: { room: 'ops' } });
});
afterAll(async () => {
  await harness.stop();
});

describe('bookkeeping failures never re-send', () => {
  it('recording the outcome fails after a successful send: the record is retried, the message is sent once', async () => {
    const message = harness.message();
    const bucket = pluginBuckets(harness.prefix).deliveries('faults');
    const jsm = await jetstreamManager(harness.connection);
    let recreated: Promise<unknown> | undefined;
    beforeAnswer.set(message.delivery_id, async () => {
      // The provider has the message; now the ledger disappears, as if its store were down…
      await jsm.streams.delete(`KV_${bucket}`);
      // …and comes back 2 s later (with the configuration the SDK creates it with).
      recreated = new Promise((resolve) => setTimeout(resolve, 2_000)).then(() =>
        DeliveryLedger.open(harness.connection, bucket, SINGLE_REPLICA, new StreamPublisher(harness.connection)),
      );
    });
    await harness.publish(message);
    await harness.waitForStatus(message.delivery_id, 'delivered', 15_000);
    await recreated;
    await harness.idle();
    expect(sendsOf(message.delivery_id)).toEqual([1]);
    expect((await harness.statuses(message.delivery_id)).map((s) => [s.outcome, s.attempt])).toEqual([['delivered', 1]]);
  }, 30_000);
});

describe('take-over timing', () => {
  it(`a send slower than the ack wait (${TAKE_OVER_ACK_WAIT_MS} ms) keeps its message: not redelivered, sent once`, async () => {
    const message = harness.message();
    beforeAnswer.set(message.delivery_id, () => new Promise((resolve) => setTimeout(resolve, TAKE_OVER_ACK_WAIT_MS + 3_000)));
    await harness.publish(message);
    await harness.waitForStatus(message.delivery_id, 'delivered', 15_000);
    await harness.idle();
    expect(sendsOf(message.delivery_id)).toEqual([1]);
  }, 30_000);

  it('the deliver consumer waits at most 5 s for an ack, so a crashed replica’s message moves on within 10 s', async () => {
    const jsm = await jetstreamManager(harness.connection);
    const info = await jsm.consumers.info(topology({ prefix: harness.prefix }).streams.deliver.name, 'faults');
    expect(info.config.ack_wait).toBe(TAKE_OVER_ACK_WAIT_MS * 1_000_000);
    expect(TAKE_OVER_ACK_WAIT_MS).toBeLessThanOrEqual(5_000);
  });
});
