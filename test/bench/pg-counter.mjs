/**
 * Diagnostics only (BENCH_COUNT_PG=1, see README): preloaded into a Herald process with
 * `node --import`, it counts every PostgreSQL round trip the `pg` driver makes (each
 * `Client#query`, which is what pools, Kysely and MikroORM all end up calling), keyed by the
 * statement's first words, and writes the totals as JSON to `$BENCH_PG_COUNT_DIR/<pid>.json`
 * every 200 ms and at exit. The bench diffs two readings around a measured window.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const dir = process.env.BENCH_PG_COUNT_DIR;
if (dir) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.json`);
  const counts = {};
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const key = text.trim().replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' ').toLowerCase().slice(0, 60) || '(empty)';
    counts[key] = (counts[key] ?? 0) + 1;
    return original.call(this, config, values, callback);
  };
  const write = () => writeFileSync(file, JSON.stringify(counts));
  setInterval(write, 200).unref();
  process.on('exit', write);
}
