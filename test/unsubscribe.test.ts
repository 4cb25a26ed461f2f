/**
 * One-click unsubscribe (RFC 8058 + RFC 2369) end to end, on real NATS JetStream, PostgreSQL and
 * SMTP: the gateway signs a link per (user, event type, channel), the mail plugin puts it in
 * `List-Unsubscribe` with `List-Unsubscribe-Post` and in the footer; a GET of the link changes
 * nothing; the POST a mail client sends turns off exactly that event type for mail in the user's
 * personal settings, so the next event of that type sends no mail while another type still does;
 * repeated POSTs are harmless; malformed and forged links are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadPluginEnv, silentLogger, topology } from '@herald/contracts';
import { deleteTopology, reservedPort, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { loadMailEnv, startMailPlugin, type RunningMailPlugin } from '@herald/plugin-mail';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { UnsubscribeTokens } from '../gateway/src/unsubscribe/unsubscribe-token.js';
import { startSmtpReceiver, type SmtpReceiver } from '../plugins/mail/src/testing/smtp-receiver.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('unsub');
let nc: NatsConnection;
let db: TestDatabase;
let smtp: SmtpReceiver;
let mail: RunningMailPlugin;
let gateway: RunningGateway;
let api: ApiClient;
let base: string;

interface Settings {
  events: Record<string, string[]>;
  filters: Record<string, unknown>;
}
interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

async function publish(id: string, type: string): Promise<void> {
  await api.expect(202, 'POST', '/events', {
    specversion: '1.0',
    id,
    source: 'test',
    type,
    data: { title: `Title of ${id}`, severity: 'High', recipients: ['ann'] },
  });
}

function mailsFor(id: string) {
  return smtp.mails.filter((m) => m.parsed.subject === `Acme notification: Title of ${id}`);
}

async function waitForMail(id: string) {
  const found = await waitFor(
    () => mailsFor(id),
    (mails) => mails.length > 0,
    15_000,
  );
  if (found[0] === undefined) {
    const deliveries = await api.get(`/deliveries?event_id=${id}`);
    const decisions = await api.get(`/events/${id}/decisions`);
    throw new Error(`no mail for ${id}: deliveries ${JSON.stringify(deliveries.body)}, decisions ${JSON.stringify(decisions.body)}`);
  }
  return found[0];
}

function header(mail: ReturnType<typeof mailsFor>[number], name: string): string | undefined {
  return mail.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, '');
}

function postForm(url: string, body: string, contentType = 'application/x-www-form-urlencoded') {
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  smtp = await startSmtpReceiver();
  const port = await reservedPort();
  base = `http://127.0.0.1:${port}`;
  // links in mails point at the public URL; the settings page stays on the site URL
  const config = testGatewayConfig(url, prefix, db.url, { HERALD_HTTP_PORT: String(port), HERALD_PUBLIC_URL: `${base}/` });
  gateway = await startGateway({ config, logger: silentLogger });
  api = new ApiClient(`${base}/api/v1`, TEST_ADMIN_TOKEN);
  const env = { NATS_URL: url, HERALD_SUBJECT_PREFIX: prefix, HERALD_SECRET_KEY: TEST_SECRET_KEY, SMTP_URL: smtp.url };
  mail = await startMailPlugin({ env: loadPluginEnv(env, 'mail'), mailEnv: loadMailEnv(env), connection: nc, logger: silentLogger });
  // the gateway accepts the mail configuration once it has seen the plugin's registration
  await waitFor(
    () => api.put('/channels/mail/config', { enabled: true, settings: { team_name: 'Acme', from: 'herald@example.com' } }),
    (response) => response.status === 200,
    15_000,
  );
  await api.expect(201, 'PUT', '/users/u1', { username: 'ann', email: 'ann@example.com', full_name: 'Ann' });
  await api.expect(200, 'PATCH', '/users/u1/settings', {
    events: { scan_added: ['alert', 'mail'], engagement_added: ['mail'] },
    filters: { scan_added: { min_severity: 'Info' } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await mail?.stop();
  await smtp?.close();
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
  await db?.drop();
});

describe('one-click unsubscribe', () => {
  let link: string;

  it('puts a signed link in List-Unsubscribe (with List-Unsubscribe-Post) and in the footer of a personal mail', async () => {
    await publish('unsub-1', 'scan_added');
    const received = await waitForMail('unsub-1');
    const list = header(received, 'List-Unsubscribe') ?? '';
    const links = [...list.matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
    expect(links).toHaveLength(2);
    link = links[0]!;
    expect(link).toMatch(new RegExp(`^${base}/api/v1/unsubscribe/u1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(links[1]).toBe('http://localhost:8080/settings');
    expect(header(received, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(received.parsed.text).toContain(`Unsubscribe from Scan Added mails in one click: ${link}`);
    expect(received.parsed.html).toContain(`href="${link.replaceAll('/', '&#47;')}">Unsubscribe from Scan Added mails</a>`);
  });

  it('answers GET with a page whose button POSTs, and changes nothing', async () => {
    const before = await api.expect<Settings>(200, 'GET', '/users/u1/settings');
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('<form method="post">');
    expect(page).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page).toContain('<strong>Scan Added</strong> notifications by <strong>mail</strong>');
    expect(page).not.toMatch(/<script/i);
    expect(await api.expect<Settings>(200, 'GET', '/users/u1/settings')).toEqual(before);
  });

  it('turns off exactly that event type for mail on the RFC 8058 POST, and the next event sends no mail', async () => {
    const before = await api.expect<Settings>(200, 'GET', '/users/u1/settings');
    const response = await postForm(link, 'List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      'You will no longer receive <strong>Scan Added</strong> notifications by <strong>mail</strong>.',
    );
    const after = await api.expect<Settings>(200, 'GET', '/users/u1/settings');
    expect(after).toEqual({ ...before, events: { ...before.events, scan_added: ['alert'] } });

    await publish('unsub-2', 'scan_added');
    await publish('unsub-3', 'engagement_added');
    await waitForMail('unsub-3');
    const decisions = await waitFor(
      () => api.get<{ decisions: Array<{ username?: string; channels?: string[] }> }>('/events/unsub-2/decisions'),
      (r) => r.status === 200,
      15_000,
    );
    expect(decisions.body.decisions.find((d) => d.username === 'ann')?.channels).toEqual(['alert']);
    expect(mailsFor('unsub-2')).toEqual([]);
  });

  it('is idempotent: a second POST answers 200 and changes nothing', async () => {
    const before = await api.expect<Settings>(200, 'GET', '/users/u1/settings');
    const response = await postForm(link, 'List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You were already unsubscribed');
    expect(await api.expect<Settings>(200, 'GET', '/users/u1/settings')).toEqual(before);
  });

  it("also turns the channel off in the user's product rows, which route mail on their own", async () => {
    await api.expect(201, 'PUT', '/product-types/1', { name: 'Apps' });
    await api.expect(201, 'PUT', '/products/7', { name: 'Web', product_type_id: '1' });
    await api.expect(201, 'PUT', '/users/u2', { username: 'bob', email: 'bob@example.com', full_name: 'Bob' });
    await api.expect(200, 'PUT', '/products/7/members/u2', {});
    await api.expect(200, 'PATCH', '/users/u2/settings', { events: { scan_added: ['alert'] } });
    await api.expect(200, 'PUT', '/users/u2/settings/products/7', { events: { scan_added: ['mail'] } });
    const productEvent = (id: string) =>
      api.expect(202, 'POST', '/events', {
        specversion: '1.0',
        id,
        source: 'test',
        type: 'scan_added',
        data: { title: `Title of ${id}`, severity: 'High', product: { id: '7', name: 'Web' } },
      });
    await productEvent('unsub-p1');
    const received = await waitForMail('unsub-p1');
    expect(received.envelopeTo).toEqual(['bob@example.com']);
    const bobLink = [...(header(received, 'List-Unsubscribe') ?? '').matchAll(/<([^>]+)>/g)].map((m) => m[1]!)[0]!;
    const personalBefore = await api.expect<Settings>(200, 'GET', '/users/u2/settings');

    expect((await postForm(bobLink, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await api.expect<Settings>(200, 'GET', '/users/u2/settings/products/7')).events['scan_added']).toEqual([]);
    expect(await api.expect<Settings>(200, 'GET', '/users/u2/settings')).toEqual(personalBefore);

    await productEvent('unsub-p2');
    const decisions = await waitFor(
      () => api.get<{ decisions: Array<{ username?: string; channels?: string[] }> }>('/events/unsub-p2/decisions'),
      (r) => r.status === 200,
      15_000,
    );
    expect(decisions.body.decisions.find((d) => d.username === 'bob')?.channels ?? []).not.toContain('mail');
    expect(mailsFor('unsub-p2')).toEqual([]);
  });

  it('refuses forged, malformed and foreign links, and a POST without the RFC 8058 body', async () => {
    const before = await api.expect<Settings>(200, 'GET', '/users/u1/settings');
    const token = link.slice(link.lastIndexOf('/') + 1);
    const [version, payload, mac] = token.split('.') as [string, string, string];
    // the same claims for another event type, with the old signature
    const other = Buffer.from(JSON.stringify(['u1', 'engagement_added', 'mail'])).toString('base64url');
    const foreign = UnsubscribeTokens.fromSecretKey(Buffer.alloc(32, 7).toString('base64')).issue({
      userId: 'u1',
      column: 'engagement_added',
      channel: 'mail',
    });
    for (const forged of [
      `${version}.${other}.${mac}`,
      `${version}.${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      foreign,
      `u9.${payload}.${mac}`,
    ]) {
      for (const response of [
        await fetch(`${base}/api/v1/unsubscribe/${forged}`),
        await postForm(`${base}/api/v1/unsubscribe/${forged}`, 'List-Unsubscribe=One-Click'),
      ]) {
        expect(response.status).toBe(404);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe('not_found');
        expect(body.error.message).toContain('Unsubscribe link not found');
      }
    }
    const malformed = await postForm(`${base}/api/v1/unsubscribe/not-a-token`, 'List-Unsubscribe=One-Click');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorBody).error.details.map((d) => d.path)).toEqual(['token']);

    const noBody = await postForm(link, 'List-Unsubscribe=Yes');
    expect(noBody.status).toBe(400);
    const noBodyError = (await noBody.json()) as ErrorBody;
    expect(noBodyError.error.details.map((d) => d.path)).toEqual(['List-Unsubscribe']);
    expect(noBodyError.error.message).toContain('List-Unsubscribe=One-Click');
    expect((await postForm(link, 'hello', 'text/plain')).status).toBe(415);
    // a form body is accepted only where RFC 8058 clients send it
    expect((await postForm(`${base}/api/v1/events`, 'a=b')).status).toBe(415);
    expect(await api.expect<Settings>(200, 'GET', '/users/u1/settings')).toEqual(before);
  });
});
