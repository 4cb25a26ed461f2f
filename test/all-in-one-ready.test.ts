/**
 * SPEC §7/§8: in all-in-one mode "ready" means every API is served. `/health/ready` used to answer
 * 200 while the alert and webhooks APIs were still being mounted (`GET /api/v1/webhooks` → 404 for
 * a moment). `npm start` is polled from its first instant; at the first 200 from
 * `/health/ready`, the webhooks and alerts APIs must already answer.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, reservedPort } from '@herald/contracts/testing';
import { TEST_ADMIN_TOKEN } from './support/gateway-config.js';
import { killAll, startNode, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('aioready');
const dir = mkdtempSync(join(tmpdir(), 'herald-aio-ready-'));
let herald: ChildHandle | undefined;

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

afterAll(async () => {
  await killAll([herald]);
  const nc = await connect({ servers: await resolveNatsUrl() });
  await deleteTopology(nc, topology({ prefix }));
  await nc.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('all-in-one /health/ready', () => {
  it('is 200 only once the alert and webhooks APIs are served and every plugin consumes', async () => {
    const port = await reservedPort();
    herald = startNode(
      'cli/start.mjs',
      {
        NATS_URL: await resolveNatsUrl(),
        HERALD_SUBJECT_PREFIX: prefix,
        HERALD_HTTP_PORT: String(port),
        HERALD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        HERALD_DATA_DIR: join(dir, '.herald'),
        HERALD_LOG_LEVEL: 'warn',
        DATABASE_URL: '',
        SMTP_URL: '',
      },
      [],
      dir,
    );
    const base = `http://127.0.0.1:${port}`;
    const seen = new Set<number>();
    const deadline = Date.now() + 60_000;
    let ready = 0;
    while (ready !== 200) {
      if (Date.now() > deadline || herald.child.exitCode !== null) throw new Error(`never ready; output:\n${herald.output()}`);
      ready = await status(`${base}/health/ready`);
      seen.add(ready);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 10));
    }
    const [webhooks, alerts] = await Promise.all([status(`${base}/api/v1/webhooks`), status(`${base}/api/v1/users/u1/alerts`)]);
    expect({ webhooks, alerts }).toEqual({ webhooks: 200, alerts: 200 });
    // and every plugin consumes already: its durable consumer is on the deliver stream
    const nc = await connect({ servers: await resolveNatsUrl() });
    try {
      const jsm = await jetstreamManager(nc);
      const consumers: string[] = [];
      for await (const info of jsm.consumers.list(topology({ prefix }).streams.deliver.name)) consumers.push(info.name);
      expect(consumers.sort()).toEqual(['alert', 'mail', 'msteams', 'slack', 'webhooks']);
    } finally {
      await nc.close();
    }
    // It was polled while starting: some answer before the 200 was not ready (or no answer yet).
    expect([...seen].some((code) => code !== 200)).toBe(true);
  }, 90_000);
});
