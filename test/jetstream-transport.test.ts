/**
 * JetStreamTransport (the gateway's Nest microservice strategy) against real NATS JetStream: what
 * an `@EventPattern` handler returns or throws becomes ack / nak(delay) / dead-letter + term, as
 * the consumer runner maps it; a thrown error keeps its message; close() lets in-flight handlers
 * finish before it returns; a durable without a handler is refused at start.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ensureConsumer,
  ensureStreams,
  silentLogger,
  topology,
  type ConsumerDefinition,
  type DeadLetter,
  type HandlerOutcome,
  type ReceivedMessage,
} from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { JetStreamContext } from '../gateway/src/messaging/jetstream.context.js';
import { JetStreamController } from '../gateway/src/messaging/jetstream-controller.decorator.js';
import { JetStreamTransport, type JetStreamBinding } from '../gateway/src/messaging/jetstream.transport.js';

const prefix = uniquePrefix('nestjs');
const topo = topology({ prefix });
const MAX_DELIVER = 3;
const CASES = ['ack', 'retry-once', 'always-retry', 'dead', 'throws', 'no-outcome', 'slow'] as const;
type Case = (typeof CASES)[number];

const definition = (name: Case): ConsumerDefinition => ({
  stream: topo.streams.events.name,
  durable: `t-${name}`,
  filterSubject: `${prefix}.events.${name}`,
  ackWaitMs: 5_000,
  maxDeliver: name === 'throws' || name === 'no-outcome' ? 2 : MAX_DELIVER,
  maxAckPending: 100,
});
const deadSubject = (name: Case) => `${prefix}.dead.test.${name}`;

/** Every call of a handler: which case, which delivery, when. */
const calls: Array<{ name: Case; delivery: number; at: number; context: boolean }> = [];
let releaseSlow: (() => void) | undefined;
let slowStarted: (() => void) | undefined;
const slowRunning = new Promise<void>((resolve) => (slowStarted = resolve));

const record = (name: Case, message: ReceivedMessage, context: JetStreamContext) =>
  calls.push({ name, delivery: message.deliveryCount, at: Date.now(), context: context.getMessage() === message });

@JetStreamController()
class CasesController {
  @EventPattern<string>('t-ack')
  ack(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): HandlerOutcome {
    record('ack', m, c);
    return { kind: 'ack' };
  }

  @EventPattern<string>('t-retry-once')
  retryOnce(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): Promise<HandlerOutcome> {
    record('retry-once', m, c);
    return Promise.resolve(m.deliveryCount === 1 ? { kind: 'retry', delayMs: 400, reason: 'not yet' } : { kind: 'ack' });
  }

  @EventPattern<string>('t-always-retry')
  alwaysRetry(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): HandlerOutcome {
    record('always-retry', m, c);
    return { kind: 'retry', delayMs: 50, reason: 'downstream unavailable' };
  }

  @EventPattern<string>('t-dead')
  dead(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): Promise<HandlerOutcome> {
    record('dead', m, c);
    return Promise.resolve({
      kind: 'dead',
      reason: 'invalid thing: data.x is required',
      issues: [{ path: 'data.x', message: 'is required', expected: 'a string' }],
      eventId: 'evt-dead',
    });
  }

  @EventPattern<string>('t-throws')
  throws(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): Promise<HandlerOutcome> {
    record('throws', m, c);
    return Promise.reject(new Error(`disk on fire (attempt ${m.deliveryCount})`));
  }

  @EventPattern<string>('t-no-outcome')
  noOutcome(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): Promise<void> {
    record('no-outcome', m, c);
    return Promise.resolve();
  }

  @EventPattern<string>('t-slow')
  async slow(@Payload() m: ReceivedMessage, @Ctx() c: JetStreamContext): Promise<HandlerOutcome> {
    record('slow', m, c);
    slowStarted?.();
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { kind: 'ack' };
  }
}

@Module({ controllers: [CasesController] })
class CasesModule {}

@Controller()
class EmptyController {}

@Module({ controllers: [EmptyController] })
class EmptyModule {}

let nc: NatsConnection;
let js: JetStreamClient;
let transport: JetStreamTransport;
let app: INestMicroservice;

const bindings = (): JetStreamBinding[] =>
  CASES.map((name) => ({
    consumer: definition(name),
    concurrency: 4,
    deadLetter: { stage: 'ingest', subject: () => deadSubject(name) },
  }));

async function consumerInfo(name: Case) {
  return (await js.consumers.get(topo.streams.events.name, `t-${name}`)).info();
}

async function deadLetters(name: Case): Promise<DeadLetter[]> {
  return (await readStream(nc, topo.streams.dead.name, deadSubject(name))).map((m) => m.json<DeadLetter>());
}

const callsOf = (name: Case) => calls.filter((c) => c.name === name);

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
  js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, topo);
  for (const name of CASES) await ensureConsumer(jsm, definition(name));
  transport = new JetStreamTransport({ js, bindings: bindings(), logger: silentLogger, drainTimeoutMs: 10_000 });
  app = await NestFactory.createMicroservice(CasesModule, { strategy: transport, logger: false });
  await app.listen();
});

afterAll(async () => {
  releaseSlow?.();
  await app?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
});

describe('JetStreamTransport', () => {
  it('registers one event handler per durable, keyed by the durable name', () => {
    const handlers = transport.getHandlers();
    expect([...handlers.keys()].sort()).toEqual(CASES.map((name) => `t-${name}`).sort());
    for (const handler of handlers.values()) expect(handler.isEventHandler).toBe(true);
  });

  it('acks a message whose handler returns ack, once, with the message as payload and context', async () => {
    await js.publish(`${prefix}.events.ack`, '{"n":1}');
    await waitFor(
      () => consumerInfo('ack'),
      (i) => i.delivered.stream_seq > 0 && i.num_ack_pending === 0 && i.num_pending === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(callsOf('ack')).toEqual([expect.objectContaining({ delivery: 1, context: true })]);
    expect((await consumerInfo('ack')).num_redelivered).toBe(0);
  });

  it("naks a retry with the handler's delay, then acks the redelivery", async () => {
    await js.publish(`${prefix}.events.retry-once`, '{}');
    await waitFor(
      () => callsOf('retry-once'),
      (c) => c.length === 2,
    );
    const [first, second] = callsOf('retry-once');
    expect(first!.delivery).toBe(1);
    expect(second!.delivery).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(380);
    const info = await waitFor(
      () => consumerInfo('retry-once'),
      (i) => i.num_ack_pending === 0,
    );
    expect(info.num_pending).toBe(0);
    expect(await deadLetters('retry-once')).toEqual([]);
  });

  it('dead-letters and terms a message still retried on its last allowed delivery', async () => {
    await js.publish(`${prefix}.events.always-retry`, '{"keep":"me"}');
    const letters = await waitFor(
      () => deadLetters('always-retry'),
      (l) => l.length > 0,
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toBe(`gave up after ${MAX_DELIVER} attempts: downstream unavailable`);
    expect(letters[0]!.deliveries).toBe(MAX_DELIVER);
    expect(Buffer.from(letters[0]!.payload_base64, 'base64').toString()).toBe('{"keep":"me"}');
    await waitFor(
      () => consumerInfo('always-retry'),
      (i) => i.num_ack_pending === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(callsOf('always-retry').map((c) => c.delivery)).toEqual([1, 2, 3]);
  });

  it('publishes a dead letter with the reason and issues, then acks (no redelivery)', async () => {
    await js.publish(`${prefix}.events.dead`, '{"bad":true}');
    const letters = await waitFor(
      () => deadLetters('dead'),
      (l) => l.length > 0,
    );
    expect(letters[0]).toMatchObject({
      stage: 'ingest',
      reason: 'invalid thing: data.x is required',
      issues: [{ path: 'data.x', message: 'is required' }],
      event_id: 'evt-dead',
      subject: `${prefix}.events.dead`,
      deliveries: 1,
    });
    await waitFor(
      () => consumerInfo('dead'),
      (i) => i.num_ack_pending === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(callsOf('dead')).toHaveLength(1);
  });

  it('retries a thrown error with backoff and dead-letters it with its own message, not "Internal server error"', async () => {
    await js.publish(`${prefix}.events.throws`, '{}');
    const letters = await waitFor(
      () => deadLetters('throws'),
      (l) => l.length > 0,
      15_000,
    );
    expect(letters[0]!.reason).toBe('gave up after 2 attempts: disk on fire (attempt 2)');
    const [first, second] = callsOf('throws');
    // DEFAULT_BACKOFF after attempt 1: a random delay in [500, 1000] ms
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(450);
  });

  it('retries a handler that returns no outcome, and says so in the dead letter', async () => {
    await js.publish(`${prefix}.events.no-outcome`, '{}');
    const letters = await waitFor(
      () => deadLetters('no-outcome'),
      (l) => l.length > 0,
      15_000,
    );
    expect(letters[0]!.reason).toBe(
      "gave up after 2 attempts: the @EventPattern('t-no-outcome') handler returned undefined; it must return a HandlerOutcome ({ kind: 'ack' | 'retry' | 'dead' })",
    );
    expect(callsOf('no-outcome')).toHaveLength(2);
  });

  it('close() waits for an in-flight handler, acks its message, and stops fetching', async () => {
    await js.publish(`${prefix}.events.slow`, '{}');
    await slowRunning;
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(closed).toBe(false);
    expect(transport.active).toBe(1);
    releaseSlow!();
    await closing;
    const info = await consumerInfo('slow');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    // stopped: a message published now stays pending
    await js.publish(`${prefix}.events.ack`, '{"n":2}');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await consumerInfo('ack')).num_pending).toBe(1);
    expect(callsOf('ack')).toHaveLength(1);
  });

  it('refuses to start when a durable has no @EventPattern handler, naming it', async () => {
    const lonely = new JetStreamTransport({ js, bindings: bindings().slice(0, 1), logger: silentLogger });
    const empty = await NestFactory.createMicroservice(EmptyModule, { strategy: lonely, logger: false });
    await expect(empty.listen()).rejects.toThrow(
      'no @EventPattern handler for the JetStream durable(s) t-ack: add one to a @JetStreamController() in the module graph',
    );
    await empty.close();
  });
});
