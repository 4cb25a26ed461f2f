import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { buildHeaders, renderMessage, renderPing, renderUser } from './render.js';
import { digestChannelMessage } from '@herald/contracts/testing';
import { channelMessage, heraldEvent, personal, SITE_URL, SYSTEM } from './testing/messages.js';

const productType = { id: '4', name: 'notif prod type' };
const product = { id: '4', name: 'notif prod', product_type: productType };
const engagement = { id: '7', name: 'notif eng', product };
const test = { id: '90', name: 'notif test', engagement };

const PT = { id: '4', name: 'notif prod type', url_ui: `${SITE_URL}/product/type/4`, url_api: `${SITE_URL}/api/v2/product_types/4/` };
const P = { id: '4', name: 'notif prod', url_ui: `${SITE_URL}/product/4`, url_api: `${SITE_URL}/api/v2/products/4/` };
const E = { id: '7', name: 'notif eng', url_ui: `${SITE_URL}/engagement/7`, url_api: `${SITE_URL}/api/v2/engagements/7/` };
const T = { id: '90', title: 'notif test', url_ui: `${SITE_URL}/test/90`, url_api: `${SITE_URL}/api/v2/tests/90/` };
const finding = (id: string, title: string, severity: string) => ({
  id,
  title,
  severity,
  url_ui: `${SITE_URL}/finding/${id}`,
  url_api: `${SITE_URL}/api/v2/findings/${id}/`,
});

function body(type: string, data: Record<string, unknown>): unknown {
  return JSON.parse(renderMessage(channelMessage(heraldEvent(type, data))).body);
}

describe('webhook bodies (DefectDojo webhook templates)', () => {
  it('ping', () => {
    const request = renderPing('ping_1', SITE_URL);
    expect(request.eventType).toBe('ping');
    expect(JSON.parse(request.body)).toEqual({ description: 'Test webhook notification', title: '', user: null, actor: null });
  });

  it('ping to a personal endpoint names its owner as DefectDojo renders a user', () => {
    const request = renderPing('ping_2', SITE_URL, 'Bob Builder (bob)');
    expect(JSON.parse(request.body)).toEqual({
      description: 'Test webhook notification',
      title: '',
      user: 'Bob Builder (bob)',
      actor: null,
    });
  });

  it('user is the endpoint owner (null for system endpoints), the actor travels separately', () => {
    const event = heraldEvent('product_added', { product, actor: { id: '1', username: 'admin' } });
    const system = JSON.parse(renderMessage(channelMessage(event, SYSTEM)).body) as Record<string, unknown>;
    expect(system['user']).toBeNull();
    expect(system['actor']).toEqual({ id: '1', username: 'admin' });
    const mine = JSON.parse(renderMessage(channelMessage(event, personal('7', 'bob'))).body) as Record<string, unknown>;
    expect(mine['user']).toBe('User 7 (bob)');
    expect(mine['actor']).toEqual({ id: '1', username: 'admin' });
    expect(renderUser({ username: 'carol', full_name: '' })).toBe('(carol)');
  });

  it('product_type_added', () => {
    expect(body('product_type_added', { product_type: productType, url: '/product/type/4' })).toEqual({
      description: 'Product Type notif prod type has been created successfully.',
      title: 'Product Type Added',
      user: null,
      actor: null,
      url_ui: `${SITE_URL}/product/type/4`,
      product_type: PT,
    });
  });

  it('product_added', () => {
    expect(
      body('product_added', { product, url: '/product/4', url_api: '/api/v2/products/4/', actor: { id: '1', username: 'admin' } }),
    ).toEqual({
      description: 'Product notif prod has been created successfully.',
      title: 'Product Added',
      user: null,
      actor: { id: '1', username: 'admin' },
      url_ui: `${SITE_URL}/product/4`,
      url_api: `${SITE_URL}/api/v2/products/4/`,
      product_type: PT,
      product: P,
    });
  });

  it('engagement_added', () => {
    expect(body('engagement_added', { engagement, title: 'Engagement added', description: 'An engagement was added' })).toEqual({
      description: 'An engagement was added',
      title: 'Engagement added',
      user: null,
      actor: null,
      product_type: PT,
      product: P,
      engagement: E,
    });
  });

  it('test_added', () => {
    expect(body('test_added', { test, url: '/test/90' })).toEqual({
      description: 'Event test_added has occurred.',
      title: 'Test Added',
      user: null,
      actor: null,
      url_ui: `${SITE_URL}/test/90`,
      product_type: PT,
      product: P,
      engagement: E,
      test: T,
    });
  });

  const scanData = {
    test,
    url: '/test/90',
    url_api: '/api/v2/tests/90/',
    findings: {
      new: [{ id: '232', name: 'New Finding', severity: 'Critical' }],
      reactivated: [{ id: '234', title: 'Reactivated Finding', severity: 'Low' }],
      mitigated: [{ id: '233', title: 'Mitigated Finding', severity: 'Medium' }],
      untouched: [{ id: '235', title: 'Untouched Finding', severity: 'Info' }],
    },
  };
  const scanBody = {
    description: '',
    title: '',
    user: null,
    actor: null,
    url_ui: `${SITE_URL}/test/90`,
    url_api: `${SITE_URL}/api/v2/tests/90/`,
    product_type: PT,
    product: P,
    engagement: E,
    test: T,
    findings: {
      new: [finding('232', 'New Finding', 'Critical')],
      reactivated: [finding('234', 'Reactivated Finding', 'Low')],
      mitigated: [finding('233', 'Mitigated Finding', 'Medium')],
      untouched: [finding('235', 'Untouched Finding', 'Info')],
    },
  };

  it('scan_added (finding_count defaults to new + reactivated + mitigated)', () => {
    expect(body('scan_added', { ...scanData, title: '', description: '' })).toEqual({ ...scanBody, finding_count: 3 });
  });

  it('scan_added_empty (empty lists, explicit finding_count)', () => {
    expect(body('scan_added_empty', { test, finding_count: 0, title: 'Scan', description: 'Nothing changed' })).toEqual({
      description: 'Nothing changed',
      title: 'Scan',
      user: null,
      actor: null,
      product_type: PT,
      product: P,
      engagement: E,
      test: T,
      finding_count: 0,
      findings: { new: [], reactivated: [], mitigated: [], untouched: [] },
    });
  });

  it('review_requested', () => {
    const data = {
      finding: { id: '11', name: 'SQL injection', severity: 'High', test },
      requested_by: { id: '2', username: 'alice' },
      reviewers: ['bob', 'carol'],
      actor: { id: '2', username: 'alice' },
      url: '/finding/11',
    };
    expect(body('review_requested', data)).toEqual({
      description: 'Event review_requested has occurred.',
      title: 'Review Requested',
      user: null,
      actor: { id: '2', username: 'alice' },
      url_ui: `${SITE_URL}/finding/11`,
      product_type: PT,
      product: P,
      engagement: E,
      test: T,
      finding: finding('11', 'SQL injection', 'High'),
      requested_by: { id: '2', username: 'alice' },
      reviewers: ['bob', 'carol'],
    });
  });

  it('generic body for any other event, passing event-specific fields through', () => {
    const data = {
      engagement: { ...engagement, url: 'https://other.example.com/e/7', url_api: '/custom/api/7' },
      sla_age: 12,
      risk_acceptance: { id: '3', name: 'RA' },
      recipients: ['bob'],
      no_users: false,
    };
    expect(body('sla_breach', data)).toEqual({
      description: 'Event sla_breach has occurred.',
      title: 'Sla Breach',
      user: null,
      actor: null,
      product_type: PT,
      product: P,
      engagement: { id: '7', name: 'notif eng', url_ui: 'https://other.example.com/e/7', url_api: `${SITE_URL}/custom/api/7` },
      sla_age: 12,
      risk_acceptance: { id: '3', name: 'RA' },
    });
  });

  it('product_type from product_type_id alone', () => {
    expect(body('product_added', { product: { id: '5', name: 'P5', product_type_id: '9' } })).toMatchObject({
      product_type: { id: '9', name: null, url_ui: `${SITE_URL}/product/type/9`, url_api: `${SITE_URL}/api/v2/product_types/9/` },
    });
  });

  it('keeps titles with ":", "[", quotes and apostrophes intact', () => {
    const title = `CVE-2026-1: "quoted" [array] it's {braces} - item: value`;
    const request = renderMessage(
      channelMessage(
        heraldEvent('scan_added', {
          title,
          test: { ...test, name: `Test: "x" [y] 'z'` },
          findings: { new: [{ id: '1', title, severity: 'High' }] },
        }),
      ),
    );
    const parsed = JSON.parse(request.body) as { title: string; test: { title: string }; findings: { new: Array<{ title: string }> } };
    expect(parsed.title).toBe(title);
    expect(parsed.test.title).toBe(`Test: "x" [y] 'z'`);
    expect(parsed.findings.new[0]?.title).toBe(title);
  });
});

/** The Standard Webhooks verification algorithm, written from the specification, independent of `signature.ts`. */
function verifyStandardWebhook(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest();
  return (headers['webhook-signature'] ?? '').split(' ').some((part) => {
    const [version, signature] = part.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('request headers', () => {
  const request = renderMessage(channelMessage(heraldEvent('product_added', { product }, 'evt-42')));
  const current = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const previous = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

  it('is exactly the documented set without signing secrets', () => {
    expect(buildHeaders({ request, version: '0.1.0', customHeader: null, signingSecrets: [], timestampSeconds: 1_795_000_000 })).toEqual({
      'User-Agent': 'Herald/0.1.0',
      'X-Herald-Event': 'product_added',
      'X-Herald-Instance': SITE_URL,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    });
  });

  it('adds the custom header and one Standard Webhooks signature per secret', () => {
    const headers = buildHeaders({
      request,
      version: '0.1.0',
      customHeader: { name: 'X-Api-Key', value: 'k3y' },
      signingSecrets: [current, previous],
      timestampSeconds: 1_795_000_000,
    });
    expect(Object.keys(headers).sort()).toEqual(
      [
        'Accept',
        'Content-Type',
        'User-Agent',
        'X-Api-Key',
        'X-Herald-Event',
        'X-Herald-Instance',
        'webhook-id',
        'webhook-signature',
        'webhook-timestamp',
      ].sort(),
    );
    expect(headers['X-Api-Key']).toBe('k3y');
    expect(headers['webhook-id']).toBe('defectdojo:evt-42:webhooks:system');
    expect(headers['webhook-timestamp']).toBe('1795000000');
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(current, headers, request.body)).toBe(true);
    expect(verifyStandardWebhook(previous, headers, request.body)).toBe(true);
    expect(verifyStandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, headers, request.body)).toBe(false);
    expect(verifyStandardWebhook(current, headers, `${request.body} `)).toBe(false);
  });
});

describe('renderMessage of a digest (SPEC §3.6)', () => {
  it('is one POST with a list payload: each item as it would have been sent alone', () => {
    const bob = personal('7', 'bob');
    const items = ['one', 'two'].map((id) =>
      channelMessage(heraldEvent('code_review', { title: `Review ${id}`, description: 'd' }, id), bob),
    );
    const digest = digestChannelMessage(items.map((item) => ({ ...item, event_label: 'Code Review' })));
    const request = renderMessage(digest);
    expect(request.eventType).toBe('digest');
    expect(request.webhookId).toBe('digest:7:webhooks:code_review:2026-03-01T11:00:00Z');
    const body = JSON.parse(request.body) as { items: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(body).toMatchObject({
      title: '2 Code Review notifications (hourly digest)',
      user: 'User 7 (bob)',
      actor: null,
      digest: {
        schedule: 'hourly',
        column: 'code_review',
        window_start: '2026-03-01T10:00:00.000Z',
        window_end: '2026-03-01T11:00:00.000Z',
        count: 2,
      },
    });
    expect(body.items).toEqual(
      items.map((item) => ({
        event_type: 'code_review',
        delivery_id: item.delivery_id,
        ...(JSON.parse(renderMessage(item).body) as Record<string, unknown>),
      })),
    );
  });
});
