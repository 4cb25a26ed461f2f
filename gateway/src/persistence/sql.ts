/**
 * Raw SQL through the EntityManager's Kysely instance: real bind parameters (no string
 * formatting) and the fork's transaction when one is open. Used where the ORM has no words for
 * the statement (`on conflict … where`, keyset pagination, bulk snapshot reads).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RawBuilder } from 'kysely';

export { sql } from 'kysely';

/**
 * Runs `statement` on `em` (inside its transaction, if any) and returns the rows. Statements are
 * reported to MikroORM's query logger like the ORM's own, when query logging is on.
 */
export async function queryRows<Row>(em: EntityManager, statement: RawBuilder<Row>): Promise<Row[]> {
  const kysely = em.getKysely();
  const started = performance.now();
  const result = await statement.execute(kysely);
  const logger = em.config.getLogger();
  if (logger.isEnabled('query')) {
    logger.logQuery({
      query: statement.compile(kysely).sql,
      took: Math.round(performance.now() - started),
      results: result.rows.length,
      level: 'info',
    });
  }
  return result.rows;
}

/** Converts a timestamp as returned by the driver (a raw string, per the type parsers) to ISO 8601. */
export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** `toIso` for nullable columns. */
export function toIsoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIso(value);
}
