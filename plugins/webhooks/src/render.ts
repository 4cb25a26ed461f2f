/**
 * Channel message → webhook request (body and headers). Pure and deterministic: no I/O, no clock
 * (the timestamp is an argument).
 *
 * Bodies are DefectDojo's webhook bodies (dojo/templates/notifications/webhooks/*.tpl), built as
 * objects and serialised with `JSON.stringify` — never by templating JSON or YAML text, so titles
 * with `:`, `[`, `"` or `'` survive intact:
 * - every event: `description`, `title`, `user`, `actor`, `url_ui` and `url_api` when the event has
 *   them (relative URLs resolved against the site URL). `user` is the endpoint's owner as
 *   DefectDojo renders a user (`str(Dojo_User)`: "<full name> (<username>)"), `null` for system
 *   endpoints — every endpoint of one message has the same owner (system messages go to system
 *   endpoints, personal ones to the user's own). `actor` is who caused the event
 *   (`{ id, username }` as published, or null);
 * - the scope chain as top-level objects `product_type`, `product`, `engagement`, `test`,
 *   `finding` — each derived from the most specific scope as DefectDojo does (a test's engagement,
 *   its product, its product type) — each `{ id, name | title, url_ui, url_api }`;
 * - `scan_added` / `scan_added_empty`: `finding_count` and `findings.{new,reactivated,mitigated,
 *   untouched}` as lists of `{ id, title, severity, url_ui, url_api }`;
 * - `review_requested`: `requested_by` and `reviewers` (as published; null / [] when absent);
 * - `ping`: `{ "description": "Test webhook notification", "title": "", "user": <owner or null>, "actor": null }`;
 * - further event-specific fields of `data` pass through unchanged (SPEC §2.1) without ever
 *   replacing a field computed here.
 */
import { capText, linkUrl, type ChannelMessage, type Destination, type DirectoryUser, type HeraldEvent } from '@herald/contracts';
import { signatureHeader } from './signature.js';

/** What `send` receives: the serialised body, the event name and the Standard Webhooks message id. */
export interface WebhookRequest {
  /** `X-Herald-Event`. */
  readonly eventType: string;
  /** `webhook-id`: the delivery id (stable across retries, so receivers can de-duplicate). */
  readonly webhookId: string;
  /** `X-Herald-Instance`. */
  readonly siteUrl: string;
  /** The JSON body, exactly as signed and sent. */
  readonly body: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Loose = Readonly<Record<string, unknown>>;

export const PING_EVENT = 'ping';
export const PING_DESCRIPTION = 'Test webhook notification';

/** Fields of `data` that the body builds itself; everything else passes through. */
const BUILT_FIELDS = new Set([
  'title',
  'description',
  'url',
  'url_api',
  'icon',
  'product_type',
  'product',
  'engagement',
  'test',
  'finding',
  'recipients',
  'no_users',
  'alert_only',
  'actor',
  'deliver_at',
]);
const SCAN_EVENTS = new Set(['scan_added', 'scan_added_empty']);
const FINDING_LISTS = ['new', 'reactivated', 'mitigated', 'untouched'] as const;

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/**
 * DefectDojo's `full_url`: absolute URLs stay, relative ones are appended to the site URL; `null`
 * unless the result is an http(s) link (`linkUrl`: `javascript:` never becomes a `url_ui`).
 */
export function fullUrl(url: string, siteUrl: string): string | null {
  const link = linkUrl(url, siteUrl);
  return link === '' ? null : link;
}

/** Per-field caps, characters: `title` 250, `description` 10 000. */
export const WEBHOOK_LIMITS = { title: 250, description: 10_000 } as const;

function capped(event: HeraldEvent): HeraldEvent {
  const { title, description } = event.data;
  if (title.length <= WEBHOOK_LIMITS.title && description.length <= WEBHOOK_LIMITS.description) return event;
  const data = {
    ...event.data,
    title: capText(title, WEBHOOK_LIMITS.title),
    description: capText(description, WEBHOOK_LIMITS.description),
  };
  return { ...event, data };
}

/** DefectDojo's UI and API routes for each scope kind. */
const ROUTES = {
  product_type: { ui: '/product/type/', api: '/api/v2/product_types/' },
  product: { ui: '/product/', api: '/api/v2/products/' },
  engagement: { ui: '/engagement/', api: '/api/v2/engagements/' },
  test: { ui: '/test/', api: '/api/v2/tests/' },
  finding: { ui: '/finding/', api: '/api/v2/findings/' },
} as const;
type ScopeKind = keyof typeof ROUTES;

/** The scope's own `url_ui` / `url` / `url_api` when the publisher gave them, else DefectDojo's routes. */
function scopeUrls(kind: ScopeKind, scope: Loose, siteUrl: string): { url_ui: string | null; url_api: string | null } {
  const id = encodeURIComponent(str(scope['id']) ?? '');
  const ui = str(scope['url_ui']) ?? str(scope['url']) ?? `${ROUTES[kind].ui}${id}`;
  const api = str(scope['url_api']) ?? `${ROUTES[kind].api}${id}/`;
  // A publisher's URL that is no http(s) link falls back to DefectDojo's route.
  return {
    url_ui: fullUrl(ui, siteUrl) ?? fullUrl(`${ROUTES[kind].ui}${id}`, siteUrl),
    url_api: fullUrl(api, siteUrl) ?? fullUrl(`${ROUTES[kind].api}${id}/`, siteUrl),
  };
}

function namedScope(kind: ScopeKind, scope: Loose, siteUrl: string): JsonObject {
  return { id: str(scope['id']), name: str(scope['name']), ...scopeUrls(kind, scope, siteUrl) };
}

function testScope(scope: Loose, siteUrl: string): JsonObject {
  return { id: str(scope['id']), title: str(scope['title']) ?? str(scope['name']), ...scopeUrls('test', scope, siteUrl) };
}

function findingObject(scope: Loose, siteUrl: string): JsonObject {
  return {
    id: str(scope['id']),
    title: str(scope['title']) ?? str(scope['name']),
    severity: str(scope['severity']),
    ...scopeUrls('finding', scope, siteUrl),
  };
}

function field(value: unknown, key: string): Loose | undefined {
  if (!isRecord(value)) return undefined;
  const inner = value[key];
  return isRecord(inner) ? inner : undefined;
}

/** The scope chain, from the most specific scope up (finding → test → engagement → product → type). */
function scopeChain(data: Loose): Partial<Record<ScopeKind, Loose>> {
  const finding = field(data, 'finding');
  const test = field(data, 'test') ?? field(finding, 'test');
  const engagement = field(data, 'engagement') ?? field(test, 'engagement');
  const product = field(data, 'product') ?? field(engagement, 'product');
  const typeId = isRecord(product) ? str(product['product_type_id']) : null;
  const productType = field(data, 'product_type') ?? field(product, 'product_type') ?? (typeId === null ? undefined : { id: typeId });
  const chain: Partial<Record<ScopeKind, Loose>> = {};
  if (productType) chain.product_type = productType;
  if (product) chain.product = product;
  if (engagement) chain.engagement = engagement;
  if (test) chain.test = test;
  if (finding) chain.finding = finding;
  return chain;
}

function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

function findingList(value: unknown, siteUrl: string): Json[] {
  return Array.isArray(value) ? value.filter(isRecord).map((f) => findingObject(f, siteUrl)) : [];
}

/** A user as DefectDojo renders one in a webhook body: `Dojo_User.generate_full_name` ("<full name> (<username>)"). */
export function renderUser(user: Pick<DirectoryUser, 'username' | 'full_name'>): string {
  return `${user.full_name} (${user.username})`.trim();
}

/** The `user` of a body: the owner of the endpoints a message goes to (personal → that user; system → null). */
export function ownerOf(destination: Destination): string | null {
  return destination.scope === 'personal' ? renderUser(destination.user) : null;
}

/** The `actor` of a body: who caused the event, as published. */
function actorOf(event: HeraldEvent): Json {
  const actor = event.data.actor;
  return actor === undefined ? null : toJson(actor);
}

/** The body object of an event (see the module header); `user` is the receiving endpoints' owner. */
export function buildPayload(event: HeraldEvent, siteUrl: string, user: string | null = null): JsonObject {
  const data: Loose = event.data;
  const body: JsonObject = {
    description: event.data.description,
    title: event.data.title,
    user,
    actor: actorOf(event),
  };
  const urlUi = event.data.url === undefined ? null : fullUrl(event.data.url, siteUrl);
  const urlApi = event.data.url_api === undefined ? null : fullUrl(event.data.url_api, siteUrl);
  if (urlUi !== null) body['url_ui'] = urlUi;
  if (urlApi !== null) body['url_api'] = urlApi;
  const chain = scopeChain(data);
  if (chain.product_type) body['product_type'] = namedScope('product_type', chain.product_type, siteUrl);
  if (chain.product) body['product'] = namedScope('product', chain.product, siteUrl);
  if (chain.engagement) body['engagement'] = namedScope('engagement', chain.engagement, siteUrl);
  if (chain.test) body['test'] = testScope(chain.test, siteUrl);
  if (chain.finding) body['finding'] = findingObject(chain.finding, siteUrl);
  if (SCAN_EVENTS.has(event.type)) {
    const lists = isRecord(data['findings']) ? data['findings'] : {};
    const findings: JsonObject = {};
    for (const list of FINDING_LISTS) findings[list] = findingList(lists[list], siteUrl);
    const counted = ['new', 'reactivated', 'mitigated'].reduce((sum, list) => sum + (findings[list] as Json[]).length, 0);
    body['finding_count'] = typeof data['finding_count'] === 'number' ? data['finding_count'] : counted;
    body['findings'] = findings;
  }
  if (event.type === 'review_requested') {
    body['requested_by'] = toJson(data['requested_by'] ?? null);
    body['reviewers'] = toJson(data['reviewers'] ?? []);
  }
  for (const [key, value] of Object.entries(data)) {
    if (BUILT_FIELDS.has(key) || key in body || value === undefined) continue;
    body[key] = toJson(value);
  }
  return body;
}

/** `X-Herald-Event` of a digest (SPEC §3.6). */
export const DIGEST_EVENT = 'digest';

/**
 * The request for a channel message. A digest (SPEC §3.6) is one POST with a list payload:
 * `{ description, title, user, actor: null, digest: { schedule, column, window_start, window_end,
 * count }, items: [<the body each item would have had alone, plus event_type and delivery_id>] }`.
 */
export function renderMessage(message: ChannelMessage): WebhookRequest {
  const digest = message.digest;
  if (digest !== undefined) {
    const user = ownerOf(message.destination);
    const body: JsonObject = {
      description: capText(message.event.data.description, WEBHOOK_LIMITS.description),
      title: capText(message.event.data.title, WEBHOOK_LIMITS.title),
      user,
      actor: null,
      digest: {
        schedule: digest.schedule,
        column: digest.column,
        window_start: digest.window_start,
        window_end: digest.window_end,
        count: digest.items.length,
      },
      items: digest.items.map((item) => ({
        event_type: item.event.type,
        delivery_id: item.delivery_id,
        ...buildPayload(capped(item.event), message.site_url, user),
      })),
    };
    return { eventType: DIGEST_EVENT, webhookId: message.delivery_id, siteUrl: message.site_url, body: JSON.stringify(body) };
  }
  return {
    eventType: message.event.type,
    webhookId: message.delivery_id,
    siteUrl: message.site_url,
    body: JSON.stringify(buildPayload(capped(message.event), message.site_url, ownerOf(message.destination))),
  };
}

/** The `ping` request (endpoint creation, `POST /webhooks/{id}/test`); `user` is the endpoint's owner, rendered. */
export function renderPing(webhookId: string, siteUrl: string, user: string | null = null): WebhookRequest {
  const body: JsonObject = { description: PING_DESCRIPTION, title: '', user, actor: null };
  return { eventType: PING_EVENT, webhookId, siteUrl, body: JSON.stringify(body) };
}

export interface HeaderInput {
  readonly request: WebhookRequest;
  /** Plugin version, for `User-Agent: Herald/<version>`. */
  readonly version: string;
  readonly customHeader: { readonly name: string; readonly value: string } | null;
  readonly signingSecrets: readonly string[];
  /** Unix seconds, for `webhook-timestamp`. */
  readonly timestampSeconds: number;
}

/** Every header of one webhook POST (transport adds only Host and Content-Length). */
export function buildHeaders(input: HeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    'User-Agent': `Herald/${input.version}`,
    'X-Herald-Event': input.request.eventType,
    'X-Herald-Instance': input.request.siteUrl,
    Accept: 'application/json',
    'Content-Type': 'application/json',
  };
  if (input.customHeader) headers[input.customHeader.name] = input.customHeader.value;
  if (input.signingSecrets.length > 0) {
    headers['webhook-id'] = input.request.webhookId;
    headers['webhook-timestamp'] = String(input.timestampSeconds);
    headers['webhook-signature'] = signatureHeader(
      input.signingSecrets,
      input.request.webhookId,
      input.timestampSeconds,
      input.request.body,
    );
  }
  return headers;
}
