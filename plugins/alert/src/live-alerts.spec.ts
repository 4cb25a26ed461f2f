/**
 * The live hub over real NATS: per-user subjects, delivery across connections (replicas), and no
 * delivery after the last listener of a user left.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, silentLogger } from '@herald/contracts';
import { resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import type { AlertJson } from './alert.js';
import { NatsLiveAlerts, liveAlertSubject, userToken } from './live-alerts.js';

describe('userToken', () => {
  it.each<[string, string]>([
    ['42', '42'],
    ['alice-1', 'alice-1'],
    ['a_b', 'a_b'],
    ['_x', `_${Buffer.from('_x').toString('base64url')}`],
    ['a.b', `_${Buffer.from('a.b').toString('base64url')}`],
    ['a b', `_${Buffer.from('a b').toString('base64url')}`],
    ['*', `_${Buffer.from('*').toString('base64url')}`],
    ['é', `_${Buffer.from('é').toString('base64url')}`],
  ])('%j → %j', (id, token) => {
    expect(userToken(id)).toBe(token);
  });

  it('builds one subject token per user under <prefix>.internal.alerts', () => {
    expect(liveAlertSubject('herald', 'a.b')).toBe('herald.internal.alerts._YS5i');
    expect(liveAlertSubject('herald', '42')).toBe('herald.internal.alerts.42');
  });
});

describe('NatsLiveAlerts', () => {
  let ncA: NatsConnection;
  let ncB: NatsConnection;
  let a: NatsLiveAlerts;
  let b: NatsLiveAlerts;

  beforeAll(async () => {
    const url = await resolveNatsUrl();
    ncA = await connectNats({ url, name: 'live-alerts-spec-a' });
    ncB = await connectNats({ url, name: 'live-alerts-spec-b' });
    const prefix = uniquePrefix('alert_live');
    a = new NatsLiveAlerts(ncA, prefix, silentLogger);
    b = new NatsLiveAlerts(ncB, prefix, silentLogger);
  });
  afterAll(async () => {
    a.close();
    b.close();
    await ncA.drain();
    await ncB.drain();
  });

  const alert = (id: string, userId: string): AlertJson => ({
    id,
    user_id: userId,
    title: 't',
    description: 'd',
    url: null,
    icon: 'bell',
    source: 'Scan Added',
    created_at: '2026-11-23T10:00:00.000Z',
    read_at: null,
    delivery_id: `${id}:alert:user-${userId}`,
  });

  function collector(): { seen: AlertJson[]; listener: (value: AlertJson) => void; wait: (n: number) => Promise<void> } {
    const seen: AlertJson[] = [];
    let wake: () => void = () => undefined;
    return {
      seen,
      listener: (value) => {
        seen.push(value);
        wake();
      },
      wait: (n) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`saw ${seen.length} alerts, wanted ${n}`)), 1_000);
          const check = (): void => {
            if (seen.length >= n) {
              clearTimeout(timer);
              resolve();
            }
          };
          wake = check;
          check();
        }),
    };
  }

  it('delivers an alert published on one connection to every listener of that user on another, users with odd ids included', async () => {
    const first = collector();
    const second = collector();
    const other = collector();
    const offA = await b.subscribe('user.with dots', first.listener);
    const offB = await b.subscribe('user.with dots', second.listener);
    const offC = await b.subscribe('someone-else', other.listener);
    a.publish(alert('x1', 'user.with dots'));
    await first.wait(1);
    await second.wait(1);
    expect(first.seen).toEqual([alert('x1', 'user.with dots')]);
    expect(second.seen).toEqual([alert('x1', 'user.with dots')]);
    await ncA.flush();
    await ncB.flush();
    expect(other.seen).toEqual([]);
    offA();
    offB();
    offC();
  });

  it('stops delivering after the last listener of a user unsubscribed', async () => {
    const early = collector();
    const late = collector();
    const off = await b.subscribe('u-stop', early.listener);
    off();
    const offLate = await b.subscribe('u-other', late.listener);
    a.publish(alert('x2', 'u-stop'));
    a.publish(alert('x3', 'u-other'));
    await late.wait(1);
    expect(early.seen).toEqual([]);
    offLate();
  });
});
