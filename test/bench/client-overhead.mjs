/**
 * The NATS client's own cost per JetStream publish, with and without Herald's two adjustments of
 * the client (`contracts/src/jetstream`): `coalesceWrites` (one socket write per event-loop turn)
 * and `settleRequestsWithoutErrors` (no `RequestError` built for a request that succeeded).
 * Four modes (plain, coalesce, settle, herald = both), each in its own process (the second
 * adjustment is process-wide), alternating, ROUNDS times: COUNT publishes of a 1 KB message to a
 * scratch stream, at most WINDOW PubAcks in flight, every PubAck awaited. Prints the publishing process's CPU time per publish (user + system, µs)
 * and the wall time per mode, then one JSON line. Not part of `npm run bench` (a diagnostic).
 *
 *   node test/bench/client-overhead.mjs [count=20000] [rounds=3] [window=128]
 *
 * Needs `npm run build` (it imports the built contracts) and NATS with JetStream (NATS_URL, else
 * nats://127.0.0.1:4222).
 */
import { spawn } from 'node:child_process';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

if (process.argv[2] === '--child') {
  const [, , , mode, countText, windowText, stream] = process.argv;
  const count = Number(countText);
  const window = Number(windowText);
  const nc = await connect({ servers: url, name: `client-overhead-${mode}` });
  if (mode === 'herald' || mode === 'coalesce') {
    const { coalesceWrites } = await import('../../contracts/dist/jetstream/coalesce-writes.js');
    if (!coalesceWrites(nc)) throw new Error('client shape not recognised');
  }
  if (mode === 'herald' || mode === 'settle') {
    const { settleRequestsWithoutErrors } = await import('../../contracts/dist/jetstream/request-settle.js');
    if (!settleRequestsWithoutErrors()) throw new Error('client shape not recognised');
  }
  const js = jetstream(nc);
  const body = 'x'.repeat(1024);
  const run = async (n, tag) => {
    const inFlight = new Set();
    for (let i = 0; i < n; i++) {
      const p = js.publish(`${stream}.m`, body, { msgID: `${tag}-${i}` }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };
  await run(2_000, `warm-${mode}-${Date.now()}`); // JIT and connection warm
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(count, `run-${mode}-${Date.now()}`);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ mode, cpu_us_per_publish: (cpu.user + cpu.system) / count, wall_ms: wallMs })}\n`);
  await nc.close();
} else {
  const count = Number(process.argv[2] ?? 20_000);
  const rounds = Number(process.argv[3] ?? 3);
  const window = Number(process.argv[4] ?? 128);
  const stream = `CLIENT_OVERHEAD_${process.pid}`;
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: 'file', max_msgs: 100_000 });
  const results = { plain: [], coalesce: [], settle: [], herald: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of Object.keys(results)) {
        const out = await new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [import.meta.filename, '--child', mode, String(count), String(window), stream], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let text = '';
          child.stdout.on('data', (chunk) => (text += chunk));
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`${mode} exited ${code}`))));
        });
        results[mode].push(out);
        console.log(`round ${round + 1} ${mode}: ${out.cpu_us_per_publish.toFixed(1)} µs CPU per publish, ${out.wall_ms.toFixed(0)} ms`);
      }
    }
  } finally {
    await jsm.streams.delete(stream);
    await nc.close();
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([mode, list]) => [mode, list.map((r) => Number(r.cpu_us_per_publish.toFixed(1)))]),
  );
  console.log(JSON.stringify({ count, rounds, window, cpu_us_per_publish: summary }));
}
