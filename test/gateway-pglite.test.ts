/**
 * The gateway alone on embedded PGlite (`npm run start:gateway` with no DATABASE_URL), first start
 * on a new data directory. initdb used to run synchronously inside MikroORM's start-up while the
 * consumers' NATS requests were in flight: on a slow machine it blocked the event loop for 5–6 s,
 * the requests' timers fired before their replies were read, and the gateway exited with
 * "gateway failed to start: timeout" (two runs of two on the sixth session's machine). Now the
 * directory is initialised first, off the event loop. Whether the old code fails here depends on
 * the machine's speed (initdb against the 5 s request timeout); the deterministic check is
 * `initialiseEmbeddedDatabase`'s spec (the event loop keeps running during initdb). This test runs
 * the production wiring end to end.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import { deleteTopology, reservedPort, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { ApiClient } from './support/api-client.js';
import { readyStatus } from './support/fault-kit.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from './support/gateway-config.js';
import { killAll, startNode, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('gwpglite');
const dataDir = mkdtempSync(join(tmpdir(), 'herald-gw-pglite-'));
let gateway: ChildHandle | undefined;

afterAll(async () => {
  await killAll([gateway]);
  const nc = await connect({ servers: await resolveNatsUrl() });
  await deleteTopology(nc, topology({ prefix }));
  await nc.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the gateway alone on embedded PGlite', () => {
  it('starts on a new data directory and serves its API from it', async () => {
    const port = await reservedPort();
    gateway = startNode('gateway/dist/main.js', {
      NATS_URL: await resolveNatsUrl(),
      DATABASE_URL: '',
      HERALD_DATA_DIR: dataDir,
      HERALD_SUBJECT_PREFIX: prefix,
      HERALD_HTTP_PORT: String(port),
      HERALD_LOG_LEVEL: 'warn',
      HERALD_SECRET_KEY: TEST_SECRET_KEY,
      HERALD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    const child = gateway;
    // -1: the gateway exited (its output says why)
    const status = await waitFor(
      () => (child.child.exitCode !== null ? -1 : readyStatus(port)),
      (code) => code === 200 || code === -1,
      90_000,
      200,
    );
    expect({ status, output: status === 200 ? '' : gateway.output() }).toEqual({ status: 200, output: '' });
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    const api = new ApiClient(`http://127.0.0.1:${port}/api/v1`, TEST_ADMIN_TOKEN);
    expect((await api.put('/users/u1', { username: 'ann', email: 'ann@example.com' })).status).toBe(201);
    const read = await api.get<{ username: string; email: string }>('/users/u1');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ username: 'ann', email: 'ann@example.com' });
    expect(gateway.output()).not.toMatch(/failed to start/);
  }, 120_000);
});
