import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@herald/contracts';
import { SnapshotCache } from './snapshot-cache.js';

/** A source whose loads finish when the test says so; each load yields `{ load: n }`. */
class HeldSource {
  loads = 0;
  private readonly releases: Array<(failure?: Error) => void> = [];

  load(): Promise<{ load: number }> {
    const n = ++this.loads;
    return new Promise((resolve, reject) => {
      this.releases.push((failure) => (failure ? reject(failure) : resolve({ load: n })));
    });
  }

  /** Finishes the oldest unfinished load. */
  finish(failure?: Error): void {
    const release = this.releases.shift();
    if (release === undefined) throw new Error('no load in progress');
    release(failure);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SnapshotCache', () => {
  it('loads once for concurrent callers and serves the loaded snapshot until invalidated', async () => {
    const source = new HeldSource();
    const cache = new SnapshotCache(source, silentLogger);
    const first = cache.get();
    const second = cache.get();
    source.finish();
    expect(await first).toEqual({ load: 1 });
    expect(await second).toBe(await first);
    expect(await cache.get()).toBe(await first);
    expect(source.loads).toBe(1);
  });

  it('reloads after an invalidation and never serves the stale snapshot again', async () => {
    const source = new HeldSource();
    const cache = new SnapshotCache(source, silentLogger);
    const loading = cache.get();
    source.finish();
    const stale = await loading;
    cache.invalidate();
    const next = cache.get();
    await tick();
    expect(source.loads).toBe(2);
    source.finish(new Error('database down'));
    await expect(next).rejects.toThrow('database down');
    // the failed reload leaves nothing to serve: the next caller loads again
    const retried = cache.get();
    await tick();
    expect(source.loads).toBe(3);
    source.finish();
    const fresh = await retried;
    expect(fresh).toEqual({ load: 3 });
    expect(fresh).not.toBe(stale);
  });

  it('releases a stale snapshot on invalidation, before the reload (a reload never holds two directories)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // every context created later in this worker (the next test files') would get a `gc` too
    setFlagsFromString('--no-expose-gc');
    const source = new HeldSource();
    const cache = new SnapshotCache(source, silentLogger);
    // no promise of the test keeps the snapshot: only the cache does
    const firstLoad = async (): Promise<WeakRef<{ load: number }>> => {
      const loading = cache.get();
      source.finish();
      return new WeakRef(await loading);
    };
    const stale = await firstLoad();
    await tick();
    gc();
    expect(stale.deref()).toEqual({ load: 1 }); // still cached
    cache.invalidate();
    await tick();
    gc();
    expect(stale.deref()).toBeUndefined();
    const next = cache.get();
    source.finish();
    expect(await next).toEqual({ load: 2 });
  });

  it('reloads when invalidated while a load is in progress, so callers get data at least as new as the invalidation', async () => {
    const source = new HeldSource();
    const cache = new SnapshotCache(source, silentLogger);
    const loading = cache.get();
    await tick();
    cache.invalidate();
    source.finish();
    await tick();
    expect(source.loads).toBe(2);
    source.finish();
    expect(await loading).toEqual({ load: 2 });
  });
});
