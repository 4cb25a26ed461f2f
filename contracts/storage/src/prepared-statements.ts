/**
 * Prepared statements for the hot paths, chosen at the statement: a statement whose text starts
 * with `/* prepare:<label> *\/` runs as a named prepared statement on PostgreSQL, so each pooled
 * connection parses and plans it once instead of on every execution.
 *
 * Why: parse and bind (planning) were ≈ 60 % of PostgreSQL's time for the statements that run once
 * per event or per group commit (issue 15; `log_min_duration_statement = 0` on a latency run:
 * parse 1.7 s + bind 1.7 s against execute 2.3 s). Only statements whose text is fixed (values in
 * parameters, e.g. `jsonb_to_recordset($1)` or `unnest($1::text[])`) and whose result columns are
 * spelled out carry the marker: a prepared plan then stays valid across migrations (PostgreSQL
 * re-plans it by itself when a table it reads changes), and the name is unique per text (label +
 * hash), so a new text in a new version is a new statement.
 *
 * `pg` keeps a connection's prepared statements for the connection's life; a lost connection
 * takes them with it and the next one prepares again. Embedded PGlite pools are left as they are.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

const MARKER = /^\/\* prepare:([a-z0-9_]+) \*\//;

/** Names already computed, by text (only marked texts, a fixed set per build). */
const names = new Map<string, string>();

/** The prepared statement's name for `text`, or `undefined` when it carries no marker. */
export function preparedName(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined) return known;
  const label = MARKER.exec(text)?.[1];
  if (label === undefined) return undefined;
  const name = `herald_${label}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  names.set(text, name);
  return name;
}

type QueryFunction = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes every connection of `pool` (opened from now on) run marked statements as named prepared
 * statements. Works on any `pg.Pool`, e.g. one MikroORM created; unmarked statements and query
 * objects pass through unchanged.
 */
export function prepareMarkedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFunction;
    (client as unknown as { query: QueryFunction }).query = (config, values, callback) => {
      if (typeof config === 'string') {
        const name = preparedName(config);
        if (name !== undefined) return query({ name, text: config }, values, callback);
      }
      return query(config, values, callback);
    };
  });
}
