/**
 * Opening and closing the gateway's database: connect, apply pending migrations, hand back the
 * ORM. Callers fork `orm.em` for every unit of work (the global EntityManager throws in v7).
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, type DatabaseOptions } from './orm-config.js';

/** Connects (PostgreSQL or embedded PGlite, see `createOrmOptions`) and runs `migrator.up()`. */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(createOrmOptions(options));
  try {
    await runMigrations(orm);
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}

/** Applies pending migrations; returns the names applied now. Idempotent. */
export async function runMigrations(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}

/** Closes the pool (and, for PGlite, the embedded database, releasing its data directory). */
export async function closeDatabase(orm: MikroORM): Promise<void> {
  await orm.close(true);
}
