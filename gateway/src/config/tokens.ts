/** Nest injection tokens for values that are not classes. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const CLOCK = Symbol('CLOCK');
/** An already-open `pg.Pool` the gateway runs on (all-in-one mode shares one PGlite pool). */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
/** `() => boolean`: a further `/health/ready` condition (all-in-one: every plugin API mounted). */
export const EXTRA_READINESS = Symbol('EXTRA_READINESS');
