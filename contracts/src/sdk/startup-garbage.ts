/**
 * Returning start-up garbage before a process starts consuming. Starting a Herald process (its
 * modules, the warm-up's synthetic traffic; in the all-in-one also Nest's module graph, MikroORM's
 * metadata, PGlite's WebAssembly and five plugins) allocates far more than it keeps, and V8's
 * memory reducer gives the difference back only after 10-20 s of low allocation. Meanwhile the
 * old generation's next limit is set from the grown heap, so the first traffic grows it further.
 * One full, compacting collection at the end of start-up gives it back at once: the all-in-one
 * held ≈ 89 MB of V8 heap committed for ≈ 69 MB live at ready (test/bench/README.md, "Seventh
 * session"). It is one collection, once: it caps nothing and changes no GC setting for the rest
 * of the process's life.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Runs one full collection that also releases V8's pooled pages, and returns its duration in ms.
 * Under `node --expose-gc` that is the global `gc`; otherwise V8's collector is reached through a
 * new V8 context created while `--expose-gc` is set, so the application's own global scope never
 * gets a `gc` function.
 */
export function releaseStartupGarbage(): number {
  const exposed = (globalThis as { gc?: unknown }).gc;
  let collect: Collect;
  if (typeof exposed === 'function') {
    collect = exposed as Collect;
  } else {
    setFlagsFromString('--expose-gc');
    try {
      collect = runInNewContext('gc') as Collect;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  const started = performance.now();
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return performance.now() - started;
}
