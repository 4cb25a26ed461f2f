/** `@herald/contracts/testing`: helpers for tests of Herald and of third-party plugins. */
export { resolveDatabaseUrl, resolveNatsUrl, uniquePrefix } from './infrastructure.js';
export { deleteTopology, readStream, subjectMatches, waitFor, type StoredMessage } from './jetstream.js';
