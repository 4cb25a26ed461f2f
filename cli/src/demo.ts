/**
 * `npm start -- --demo`: seeds a small directory and settings through the API and publishes a few
 * events, so a newcomer sees alerts, an `.eml` in the outbox and decisions within a minute.
 * Idempotent: running it again upserts the same records and publishes new event ids.
 */
import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@herald/contracts';

export interface DemoOptions {
  readonly apiUrl: string;
  readonly adminToken: string;
  readonly nc: NatsConnection;
  readonly prefix: string;
  readonly print: (line: string) => void;
}

export async function runDemo(options: DemoOptions): Promise<string[]> {
  const call = async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${options.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`demo: ${method} ${path} → ${res.status} ${await res.text()}`);
  };
  await call('PUT', '/product-types/demo-apps', { name: 'Applications' });
  await call('PUT', '/products/demo-web', { name: 'Web Shop', product_type_id: 'demo-apps' });
  await call('PUT', '/users/demo-admin', { username: 'admin', email: 'admin@example.com', full_name: 'Ada Admin', superuser: true });
  await call('PUT', '/users/demo-dev', { username: 'dev', email: 'dev@example.com', full_name: 'Dev Eloper' });
  await call('PUT', '/products/demo-web/members/demo-dev', { role: 'Writer' });
  await call('PUT', '/channels/mail/config', {
    enabled: true,
    settings: { team_name: 'Demo', mail_notifications_to: 'security-team@example.com' },
  });
  await call('PATCH', '/settings/system', { events: { scan_added: ['alert', 'mail'] } });
  await call('PATCH', '/users/demo-dev/settings', { events: { scan_added: ['alert', 'mail'], user_mentioned: ['alert', 'mail'] } });

  const js = jetstream(options.nc);
  const s = subjects(options.prefix);
  const run = randomBytes(4).toString('hex');
  const events = [
    {
      type: 'scan_added',
      data: {
        product: { id: 'demo-web', name: 'Web Shop' },
        engagement: { id: 'demo-eng', name: 'Weekly scan' },
        test: { id: 'demo-test', name: 'ZAP Scan' },
        title: 'ZAP Scan: 2 new findings',
        finding_count: 2,
        findings: {
          new: [
            { id: 'f1', title: 'XSS in search', severity: 'High' },
            { id: 'f2', title: 'Missing CSP', severity: 'Low' },
          ],
        },
      },
    },
    { type: 'user_mentioned', data: { recipients: ['dev'], title: 'admin mentioned you on finding "XSS in search"', url: '/finding/f1' } },
    { type: 'dummy_foo_event', data: { description: 'An event type Herald does not know: routed by the "other" column.' } },
  ];
  const ids: string[] = [];
  for (const event of events) {
    const id = `demo-${run}-${event.type}`;
    await js.publish(s.event(event.type), JSON.stringify({ specversion: '1.0', id, source: 'herald-demo', ...event }), { msgID: id });
    ids.push(id);
  }
  options.print(`Demo: seeded users admin and dev, product "Web Shop"; published ${ids.join(', ')}.`);
  options.print(`      Try: GET ${options.apiUrl}/api/v1/users/demo-dev/alerts, GET ${options.apiUrl}/api/v1/events/${ids[0]}/decisions`);
  return ids;
}
