/**
 * Returning start-up garbage before the all-in-one reports ready. Starting Herald in one process
 * (Nest's module graph, MikroORM's metadata, PGlite's WebAssembly, five plugins' warm-ups)
 * allocates far more than it keeps: V8's heap holds ≈ 90 MB committed at ready for ≈ 66 MB live,
 * plus emptied pages it keeps pooled, and its memory reducer gives them back only once the
 * process has been idle for 10-20 s (test/bench/README.md, "Seventh session"). One full,
 * compacting collection at the end of start-up gives them back at once, so the process is at its
 * idle size when it turns ready. It is one collection, once: it caps nothing and changes no GC
 * setting for the rest of the process's life.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Runs one full collection that also releases V8's pooled pages, and returns its duration in ms.
 * V8's collector is reached through a new V8 context created while `--expose-gc` is set, so the
 * application's own global scope never gets a `gc` function.
 */
export function releaseStartupGarbage(): number {
  setFlagsFromString('--expose-gc');
  let collect: Collect;
  try {
    collect = runInNewContext('gc') as Collect;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  const started = performance.now();
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return performance.now() - started;
}
