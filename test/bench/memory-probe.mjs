// Diagnostics preload (`node --import=<this file>`, e.g. through BENCH_GATEWAY_NODE_OPTIONS or
// CAPACITY_PLUGIN_NODE_OPTIONS): every 250 ms writes this process's `process.memoryUsage()` (now
// and peak per field, MB) to `<BENCH_MEMORY_PROBE_DIR or the temp dir>/memory-<pid>.json`; with
// `--expose-gc` also writes a heap snapshot after a full collection when the process gets SIGTERM
// (`heap-<pid>.heapsnapshot`, the live objects at the end of the run). Not used by `npm run bench`.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

const dir = process.env.BENCH_MEMORY_PROBE_DIR ?? tmpdir();
const toMb = (fields) => Object.fromEntries(Object.entries(fields).map(([key, bytes]) => [key, Number((bytes / 1048576).toFixed(1))]));
const peak = {};
let samples = 0;
setInterval(() => {
  const now = process.memoryUsage();
  samples++;
  for (const [key, bytes] of Object.entries(now)) peak[key] = Math.max(peak[key] ?? 0, bytes);
  writeFileSync(
    join(dir, `memory-${process.pid}.json`),
    JSON.stringify({ argv: process.argv.slice(1), samples, now: toMb(now), peak: toMb(peak) }),
  );
}, 250).unref();

if (typeof globalThis.gc === 'function') {
  process.prependOnceListener('SIGTERM', () => {
    globalThis.gc();
    const file = writeHeapSnapshot(join(dir, `heap-${process.pid}.heapsnapshot`));
    process.stderr.write(`memory-probe: heap snapshot ${file}\n`);
  });
}
