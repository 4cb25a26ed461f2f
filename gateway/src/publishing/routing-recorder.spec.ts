import { describe, expect, it } from '@jest/globals';
import type { RoutingRecord } from '../persistence/delivery-log.repository.js';
import { ROUTING_RECORD_LINGER_MS, RoutingRecorder } from './routing-recorder.js';

const record = (eventId: string): RoutingRecord => ({
  source: 'dd',
  eventId,
  type: 'scan_added',
  column: 'scan_added',
  decisions: [],
  deliveries: [],
});

/** A log that holds each batch until released, to observe how records group. */
class HeldLog {
  readonly batches: string[][] = [];
  private releases: Array<() => void> = [];
  failNext = false;

  recordRoutingMany(records: readonly RoutingRecord[]): Promise<void> {
    this.batches.push(records.map((r) => r.eventId));
    const fail = this.failNext;
    this.failNext = false;
    return new Promise((resolve, reject) => this.releases.push(() => (fail ? reject(new Error('write failed')) : resolve())));
  }

  releaseOne(): void {
    this.releases.shift()?.();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Past the recorder's linger (a write started by an idle recorder waits that long for company). */
const lingered = () => new Promise((resolve) => setTimeout(resolve, ROUTING_RECORD_LINGER_MS + 50));

describe('RoutingRecorder', () => {
  it('writes a lone record after its linger and groups the records that arrive while it is written', async () => {
    expect(ROUTING_RECORD_LINGER_MS).toBeGreaterThan(0);
    const log = new HeldLog();
    const recorder = new RoutingRecorder(log, 2);
    const done: string[] = [];
    const first = recorder.record(record('a')).then(() => done.push('a'));
    await tick();
    expect(log.batches).toEqual([]);
    await lingered();
    expect(log.batches).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((id) => recorder.record(record(id)).then(() => done.push(id)));
    await tick();
    expect(done).toEqual([]);
    log.releaseOne();
    await first;
    await tick();
    expect(log.batches).toEqual([['a'], ['b', 'c']]);
    expect(done).toEqual(['a']);
    log.releaseOne();
    await tick();
    await tick();
    expect(log.batches).toEqual([['a'], ['b', 'c'], ['d']]);
    log.releaseOne();
    await Promise.all(rest);
    expect(done).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails every record of a failed batch, and goes on with the next', async () => {
    const log = new HeldLog();
    const recorder = new RoutingRecorder(log);
    log.failNext = true;
    const failed = recorder.record(record('x'));
    await lingered();
    log.releaseOne();
    await expect(failed).rejects.toThrow('write failed');
    const next = recorder.record(record('y'));
    await lingered();
    log.releaseOne();
    await expect(next).resolves.toBeUndefined();
    expect(log.batches).toEqual([['x'], ['y']]);
  });
});
