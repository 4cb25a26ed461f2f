import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { silentLogger } from '../logger.js';
import { startPluginHttpServer, type PluginHttpServer } from './plugin-http-server.js';

let server: PluginHttpServer;
let databaseUp = true;
let hang = false;

beforeAll(async () => {
  server = await startPluginHttpServer({
    port: 0,
    host: '127.0.0.1',
    health: () => ({ nats: 'connected', consumer: 'bound' }),
    readinessChecks: {
      database: () =>
        hang ? new Promise<boolean>(() => undefined) : databaseUp ? Promise.resolve(true) : Promise.reject(new Error('connection refused')),
    },
    metrics: new Registry(),
    api: null,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await server.close();
});

async function ready(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/health/ready`);
  return { status: res.status, body: await res.json() };
}

describe('plugin readiness checks', () => {
  it('is ready when NATS, the consumer and every added check are', async () => {
    databaseUp = true;
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ok', checks: { nats: 'connected', consumer: 'bound', database: 'ok' } },
    });
  });

  it('is not ready while an added check fails', async () => {
    databaseUp = false;
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { nats: 'connected', consumer: 'bound', database: 'failing' } },
    });
  });

  it('counts a check that does not answer within 2 s as failing', async () => {
    hang = true;
    const started = Date.now();
    const result = await ready();
    hang = false;
    expect(result.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });
});
