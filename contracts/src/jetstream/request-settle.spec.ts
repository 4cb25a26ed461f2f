import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestOne } from '@nats-io/nats-core/internal';
import { connect, errors, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { resolveNatsUrl, uniquePrefix } from '../testing/infrastructure.js';
import { connectNats } from './connect.js';
import { settleRequestsWithoutErrors } from './request-settle.js';

/** A request on a mux that records what it was asked to do, as the connection's mux would be. */
function requestOn(): { request: RequestOne; left: unknown[]; rejected: unknown[]; timerStops: () => number } {
  const left: unknown[] = [];
  const mux = { cancel: (request: unknown) => left.push(request) };
  const request = new RequestOne(mux as never, 'herald.spec', { timeout: 5_000 }, false);
  let stops = 0;
  const stopTimer = request.timer.cancel.bind(request.timer);
  request.timer.cancel = () => {
    stops++;
    stopTimer();
  };
  const rejected: unknown[] = [];
  const reject = request.deferred.reject.bind(request.deferred);
  request.deferred.reject = (reason?: unknown) => {
    rejected.push(reason);
    reject(reason);
  };
  return { request, left, rejected, timerStops: () => stops };
}

describe('settleRequestsWithoutErrors', () => {
  beforeAll(() => {
    expect(settleRequestsWithoutErrors()).toBe(true);
    expect(settleRequestsWithoutErrors()).toBe(true); // once per process
  });

  it('builds no error for a request its reply resolved, and still leaves the mux and stops the timer', async () => {
    const { request, left, rejected, timerStops } = requestOn();
    const reply = { data: new Uint8Array() } as unknown as Msg;
    request.resolver(null, reply);
    await expect(request.deferred).resolves.toBe(reply);
    expect(rejected).toEqual([]);
    expect(left).toEqual([request]);
    expect(timerStops()).toBeGreaterThan(0);
  });

  it('rejects a request cancelled before any reply with RequestError("cancelled"), as the client does', async () => {
    const { request, left, rejected, timerStops } = requestOn();
    request.cancel();
    expect(timerStops()).toBe(1);
    await expect(request.deferred).rejects.toThrow('cancelled');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(errors.RequestError);
    expect(left).toEqual([request]);
  });

  it('passes an error reply and an explicit cancel reason through unchanged', async () => {
    const failed = requestOn();
    failed.request.resolver(new Error('boom'), undefined as unknown as Msg);
    await expect(failed.request.deferred).rejects.toThrow('boom');
    const cancelled = requestOn();
    cancelled.request.cancel(new Error('connection closed'));
    await expect(cancelled.request.deferred).rejects.toThrow('connection closed');
  });

  describe('on a real connection', () => {
    let url: string;
    let responder: NatsConnection;
    beforeAll(async () => {
      url = await resolveNatsUrl();
      responder = await connect({ servers: url });
    });
    afterAll(async () => {
      await responder.close();
    });

    it('answers requests, times out and reports no responders as before', async () => {
      const connection = await connectNats({ url, name: 'request-settle-spec' });
      const subject = uniquePrefix('settle');
      const sub = responder.subscribe(subject, {
        callback: (_error, msg) => {
          if (msg.string() !== 'silent') msg.respond(`echo ${msg.string()}`);
        },
      });
      await responder.flush();
      try {
        const replies = await Promise.all(['a', 'b'].map((text) => connection.request(subject, text, { timeout: 2_000 })));
        expect(replies.map((r) => r.string())).toEqual(['echo a', 'echo b']);
        await expect(connection.request(subject, 'silent', { timeout: 200 })).rejects.toThrow(/timeout/i);
        await expect(connection.request(`${subject}.nobody`, 'x', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
      } finally {
        sub.unsubscribe();
        await connection.close();
      }
    });
  });
});
