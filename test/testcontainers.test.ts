/**
 * `TESTCONTAINERS=1`: the test infrastructure (`@herald/contracts/testing`) starts NATS with
 * JetStream and PostgreSQL with testcontainers and hands out their URLs; without a Docker engine it
 * fails at once with testcontainers' own error. Without the variable nothing changes. Which of
 * the two container tests is registered depends on whether this machine has a Docker engine
 * (`DOCKER_HOST` or the standard socket), so each machine runs the one it can prove.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { resolveDatabaseUrl, resolveNatsUrl, stopTestContainers } from '@herald/contracts/testing';

const withContainers = { TESTCONTAINERS: '1' } as NodeJS.ProcessEnv;
const dockerEngine = Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');

describe('test infrastructure with TESTCONTAINERS=1', () => {
  afterAll(() => stopTestContainers());

  if (!dockerEngine) {
    it('fails fast with testcontainers’ own error where no Docker engine runs (none here)', async () => {
      for (const resolve of [resolveNatsUrl, resolveDatabaseUrl]) {
        const started = Date.now();
        await expect(resolve(withContainers)).rejects.toThrow('Could not find a working container runtime strategy');
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      // A failed start is not kept: asking again fails again the same way (no stale promise).
      await expect(resolveNatsUrl(withContainers)).rejects.toThrow('Could not find a working container runtime strategy');
    });
  } else {
    it('starts NATS with JetStream and PostgreSQL once per process and uses them (a Docker engine runs here)', async () => {
      const natsUrl = await resolveNatsUrl(withContainers);
      expect(natsUrl).not.toBe('nats://127.0.0.1:4222');
      expect(await resolveNatsUrl(withContainers)).toBe(natsUrl);
      const nc = await connect({ servers: natsUrl });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.add({ name: 'TC_PROBE', subjects: ['tc.probe'] });
        expect(info.config.name).toBe('TC_PROBE');
      } finally {
        await nc.close();
      }
      const databaseUrl = await resolveDatabaseUrl(withContainers);
      expect(databaseUrl).not.toContain('127.0.0.1:5432');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const result = await client.query<{ one: number }>('select 1 as one');
        expect(result.rows).toEqual([{ one: 1 }]);
      } finally {
        await client.end();
      }
    }, 180_000);
  }

  it('prefers NATS_URL / DATABASE_URL when set, starting nothing', async () => {
    const env = {
      ...withContainers,
      NATS_URL: 'nats://127.0.0.1:4999',
      DATABASE_URL: 'postgresql://x@127.0.0.1:5999/db',
    } as NodeJS.ProcessEnv;
    expect(await resolveNatsUrl(env)).toBe('nats://127.0.0.1:4999');
    expect(await resolveDatabaseUrl(env)).toBe('postgresql://x@127.0.0.1:5999/db');
  });

  it('changes nothing without the variable: the local services are used', async () => {
    expect(await resolveNatsUrl({})).toBe('nats://127.0.0.1:4222');
    expect(await resolveDatabaseUrl({})).toBe('postgresql://postgres@127.0.0.1:5432/test');
  });
});
