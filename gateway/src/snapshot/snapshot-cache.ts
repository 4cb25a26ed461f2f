/**
 * The routing snapshot, cached in memory (SPEC §3.5). Loaded once; a change through the API or a
 * directory event marks it stale on every gateway replica — over NATS, confirmed by each live
 * replica before the change returns — and the next event reloads it. Routing never reads the
 * database on the hot path otherwise. Loads are single-flight: concurrent events share one load.
 */
import type { Logger } from '@herald/contracts';

export interface SnapshotSource<S> {
  load(): Promise<S>;
}

export class SnapshotCache<S> {
  private current: S | undefined;
  private generation = 0;
  private loadedGeneration = -1;
  private loading: Promise<S> | undefined;

  constructor(
    private readonly source: SnapshotSource<S>,
    private readonly logger: Logger,
  ) {}

  /** The current snapshot, reloading first when it was invalidated. */
  async get(): Promise<S> {
    if (this.current !== undefined && this.loadedGeneration === this.generation) return this.current;
    return this.reload();
  }

  private reload(): Promise<S> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const started = Date.now();
    this.loading = this.source
      .load()
      .then((snapshot) => {
        this.current = snapshot;
        this.loadedGeneration = generation;
        this.logger.debug('routing snapshot loaded', { ms: Date.now() - started, generation });
        return snapshot;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading.then((snapshot) => (this.loadedGeneration === this.generation ? snapshot : this.reload()));
  }

  /**
   * Marks the snapshot stale; the next `get` reloads. A stale snapshot is never served again, so
   * it is released now: the reload does not hold two directories at once (events already routing
   * keep theirs until they finish).
   */
  invalidate(): void {
    this.generation++;
    this.current = undefined;
  }
}
