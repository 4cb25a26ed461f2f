/**
 * The webhooks warm-up sends through the plugin's own dispatcher (`attempt`: guard, signed
 * headers, POST, classification) to its own loopback server, even when the deployment allows no
 * private address, and leaves the dispatcher's allow list as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox, silentLogger } from '@herald/contracts';
import { DEFAULT_MAX_DEFER_MS, WebhookDispatcher } from './dispatcher.js';
import { EndpointStore, type Endpoint } from './endpoint-store.js';
import { renderMessage } from './render.js';
import { TestClock } from './testing/test-clock.js';
import { createWebhooksTestDatabase, type WebhooksTestDatabase } from './testing/test-database.js';
import { postWebhook, systemResolver } from './transport.js';
import { warmUpWebhooks } from './warm-up.js';
import { channelMessage, heraldEvent } from './testing/messages.js';

let db: WebhooksTestDatabase;
let dispatcher: WebhookDispatcher;

beforeAll(async () => {
  db = await createWebhooksTestDatabase();
  const store = new EndpointStore(db.pool, SecretBox.fromBase64(SecretBox.generateKey()));
  await store.migrate();
  dispatcher = new WebhookDispatcher({
    store,
    clock: new TestClock(new Date('2026-12-01T00:00:00Z')),
    logger: silentLogger,
    version: '0.1.0',
    allow: [], // a deployment that allows no private address
    resolver: systemResolver,
    post: postWebhook,
    maxDeferMs: DEFAULT_MAX_DEFER_MS,
  });
});

afterAll(async () => {
  await db?.drop();
});

describe('warmUpWebhooks', () => {
  it('sends synthetic webhooks, 16 at a time, to a server of its own, every one accepted', async () => {
    expect(await warmUpWebhooks(dispatcher, { budgetMs: 10_000, maxRequests: 64 })).toBe(64);
  });

  it('stops at its time budget', async () => {
    const started = performance.now();
    const accepted = await warmUpWebhooks(dispatcher, { budgetMs: 50, maxRequests: 1_000_000 });
    expect(accepted).toBeGreaterThanOrEqual(16);
    expect(accepted % 16).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('leaves the plugin dispatcher refusing loopback targets', async () => {
    const loopback = { url: 'http://127.0.0.1:9/x', header_name: null, header_value: null, signing_secrets: [] } as unknown as Endpoint;
    const verdict = await dispatcher.attempt(loopback, renderMessage(channelMessage(heraldEvent('product_added'))), 1_000);
    expect(verdict).toMatchObject({ kind: 'permanent', note: expect.stringMatching(/^Refused: /) as unknown as string });
  });
});
