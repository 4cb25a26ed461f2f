import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { resolveNatsUrl, uniquePrefix } from '../testing/infrastructure.js';
import { coalesceWrites } from './coalesce-writes.js';
import { connectNats } from './connect.js';

/** Counts the socket writes of a connection (every write goes through its transport's `send`). */
function countWrites(connection: NatsConnection): () => number {
  const transport = (connection as unknown as { protocol: { transport: { send: (frame: Uint8Array) => void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (frame) => {
    writes++;
    send(frame);
  };
  return () => writes;
}

/**
 * Publishes `count` messages, each from its own `setImmediate` callback: all of them run in one
 * check phase (Node runs the microtasks between two of them), and an immediate they queue runs in
 * the next turn.
 */
async function publishFromCallbacks(connection: NatsConnection, subject: string, count: number): Promise<void> {
  await new Promise<void>((done) => {
    for (let i = 0; i < count; i++)
      setImmediate(() => {
        connection.publish(subject, String(i));
        if (i === count - 1) setImmediate(() => setImmediate(done));
      });
  });
}

describe('coalesceWrites', () => {
  let url: string;
  let observer: NatsConnection;
  beforeAll(async () => {
    url = await resolveNatsUrl();
    observer = await connect({ servers: url });
  });
  afterAll(async () => {
    await observer.close();
  });

  async function received(subject: string, count: number, run: () => Promise<void>): Promise<string[]> {
    const got: string[] = [];
    const all = new Promise<void>((done) => {
      observer.subscribe(subject, {
        callback: (_error, msg: Msg) => {
          got.push(msg.string());
          if (got.length === count) done();
        },
      });
    });
    await observer.flush();
    await run();
    await all;
    return got;
  }

  it('writes what the callbacks of one turn published in one write, in order (the client alone: one write each)', async () => {
    const plain = await connect({ servers: url });
    const coalesced = await connect({ servers: url });
    try {
      expect(coalesceWrites(coalesced)).toBe(true);
      const plainWrites = countWrites(plain);
      const coalescedWrites = countWrites(coalesced);
      const subject = uniquePrefix('coalesce');
      const viaPlain = await received(`${subject}.plain`, 8, () => publishFromCallbacks(plain, `${subject}.plain`, 8));
      const viaCoalesced = await received(`${subject}.coalesced`, 8, () => publishFromCallbacks(coalesced, `${subject}.coalesced`, 8));
      expect(plainWrites()).toBe(8);
      expect(coalescedWrites()).toBe(1);
      expect(viaCoalesced).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
      expect(viaPlain).toEqual(viaCoalesced);
    } finally {
      await plain.close();
      await coalesced.close();
    }
  });

  it('still writes a full buffer at once, where the client does (its pendingLimit, 32 KB)', async () => {
    const plain = await connect({ servers: url });
    const coalesced = await connect({ servers: url });
    try {
      expect(coalesceWrites(coalesced)).toBe(true);
      const subject = uniquePrefix('coalesce-big');
      const big = 'x'.repeat(40 * 1024);
      const writesOf = async (connection: NatsConnection, to: string): Promise<{ inline: number; all: number; got: string[] }> => {
        const writes = countWrites(connection);
        let inline = -1;
        const got = await received(to, 4, () => {
          for (let i = 0; i < 4; i++) connection.publish(to, `${i}${big}`);
          inline = writes(); // before any microtask or immediate: the size-triggered writes only
          return Promise.resolve();
        });
        return { inline, all: writes(), got: got.map((text) => text[0] ?? '') };
      };
      const viaPlain = await writesOf(plain, `${subject}.plain`);
      const viaCoalesced = await writesOf(coalesced, `${subject}.coalesced`);
      expect(viaPlain.inline).toBeGreaterThan(0);
      expect(viaCoalesced).toEqual({ ...viaPlain, got: ['0', '1', '2', '3'] });
    } finally {
      await plain.close();
      await coalesced.close();
    }
  });

  it('is how connectNats connects: requests, flush and drain work as before', async () => {
    const connection = await connectNats({ url, name: 'coalesce-spec' });
    const writes = countWrites(connection);
    const subject = uniquePrefix('coalesce-req');
    const responder = observer.subscribe(subject, {
      callback: (_error, msg) => {
        msg.respond(`echo ${msg.string()}`);
      },
    });
    await observer.flush();
    try {
      const replies = await Promise.all([1, 2, 3].map((i) => connection.request(subject, String(i), { timeout: 2_000 })));
      expect(replies.map((r) => r.string())).toEqual(['echo 1', 'echo 2', 'echo 3']);
      expect(writes()).toBe(1);
      await connection.flush();
    } finally {
      responder.unsubscribe();
      await connection.drain();
    }
    expect(connection.isClosed()).toBe(true);
  });

  it('leaves a connection of unknown shape as it is', () => {
    expect(coalesceWrites({} as NatsConnection)).toBe(false);
    expect(coalesceWrites({ protocol: {} } as unknown as NatsConnection)).toBe(false);
    expect(coalesceWrites({ protocol: { flushPending: () => undefined } } as unknown as NatsConnection)).toBe(false);
  });
});
