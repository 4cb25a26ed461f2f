/**
 * `@herald/plugin-storage`: helpers for channel plugins that own data (SPEC §1: "a plugin that owns
 * data owns its own PostgreSQL schema and migrations"): a SQL pool on PostgreSQL or embedded
 * PGlite, and ordered SQL migrations. A plugin that owns no data does not install this package.
 */
export { runSqlMigrations, type SqlClient, type SqlMigration, type SqlPool } from './sql-migrations.js';
export { initialiseEmbeddedDatabase, openSqlPool, reportLostConnections, type SqlPoolOptions } from './sql-pool.js';
export { preparedName, prepareMarkedStatements } from './prepared-statements.js';
