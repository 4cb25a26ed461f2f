/** Administrator pages: channels, product settings, directory, deliveries, event inspector, dead letters. */
import { useState } from 'preact/hooks';
import { api, describeError, listAll, type Page as ApiPage } from '../api.js';
import { ErrorNote, Page, StatusNote, formatTime, useLoad, usePoll } from '../components/common.js';
import { Matrix, type SettingsRow } from '../components/matrix.js';
import { SchemaForm, schemaFromSettings, type JsonSchema } from '../components/schema-form.js';
import type { User } from '../session.js';
import { eventTypes, usableChannels, type ChannelItem } from './notifications.js';

interface ConfigView {
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Record<string, unknown>;
  readonly updated_at: string | null;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && typeof (value as JsonSchema).properties === 'object';
}

function ChannelConfig({ channel, onSaved }: { channel: ChannelItem; onSaved: () => void }) {
  const config = useLoad(() => api<ConfigView>('GET', `/channels/${encodeURIComponent(channel.name)}/config`), [channel.name]);
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (config.error !== null) return <ErrorNote message={config.error} />;
  if (!config.data) return <p>Loading…</p>;
  const registered = isSchema(channel.config_schema);
  const { schema, secretFields } = registered
    ? { schema: channel.config_schema, secretFields: [...(channel.secret_fields ?? [])] }
    : schemaFromSettings(config.data.settings);
  const on = enabled ?? config.data.enabled;
  const save = async (settings: Record<string, unknown>) => {
    setError(null);
    try {
      await api('PUT', `/channels/${encodeURIComponent(channel.name)}/config`, { enabled: on, settings });
      setStatus(`Saved the configuration of ${channel.name}.`);
      config.reload();
      onSaved();
      return true;
    } catch (e) {
      setError(describeError(e));
      return false;
    }
  };
  const id = `config-${channel.name}`;
  return (
    <div class="channel-config">
      <p class="meta">
        {registered
          ? 'Form generated from the JSON Schema the channel registered.'
          : 'No plugin of this channel has registered yet, so there is no JSON Schema: the form follows the fields its configuration shows.'}
      </p>
      {channel.name === 'alert' ? (
        <p>Alerts are always enabled.</p>
      ) : (
        <div class="field check">
          <input type="checkbox" id={`${id}-enabled`} checked={on} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <label for={`${id}-enabled`}>Enabled</label>
        </div>
      )}
      <SchemaForm
        key={config.data.updated_at ?? 'never'}
        id={id}
        schema={schema}
        values={config.data.settings}
        secretFields={secretFields}
        submitLabel={`Save ${channel.name}`}
        onSubmit={save}
      />
      <StatusNote message={status} />
      <ErrorNote message={error} />
    </div>
  );
}

export function ChannelsPage() {
  const list = useLoad(() => listAll<ChannelItem>('/channels'), []);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Page title="Channels">
      <ErrorNote message={list.error} />
      <div class="table-scroll">
        <table>
          <caption>Registered channels and their plugins</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Enabled</th>
              <th scope="col">Plugin version</th>
              <th scope="col">Replicas</th>
              <th scope="col">Health</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">Configuration</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((c) => (
              <tr key={c.name}>
                <th scope="row">
                  {c.name}
                  {c.builtin ? '' : ' (third-party)'}
                </th>
                <td>{c.enabled ? 'yes' : 'no'}</td>
                <td>{c.plugin?.version ?? '—'}</td>
                <td>{c.plugin?.instances ?? 0}</td>
                <td>
                  <span class={`badge ${c.live ? 'ok' : 'bad'}`}>{c.live ? 'live' : 'no plugin running'}</span>
                </td>
                <td>{formatTime(c.plugin?.last_heartbeat ?? null)}</td>
                <td>
                  <button type="button" aria-expanded={open === c.name} onClick={() => setOpen(open === c.name ? null : c.name)}>
                    {open === c.name ? 'Close' : 'Configure'}
                    <span class="visually-hidden"> {c.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open !== null && list.data ? (
        <section aria-label={`Configuration of ${open}`}>
          <h2>Configuration of {open}</h2>
          <ChannelConfig key={open} channel={list.data.find((c) => c.name === open)!} onSaved={list.reload} />
        </section>
      ) : null}
    </Page>
  );
}

interface Product {
  readonly id: string;
  readonly name: string;
  readonly product_type_id: string;
}

interface Member {
  readonly user_id: string;
  readonly role: string | null;
}

export function ProductSettingsPage() {
  const products = useLoad(() => listAll<Product>('/products'), []);
  const [productId, setProductId] = useState('');
  const members = useLoad(
    async () => (productId === '' ? [] : listAll<Member>(`/products/${encodeURIComponent(productId)}/members`)),
    [productId],
  );
  const [userId, setUserId] = useState('');
  const row = useLoad(async () => {
    if (productId === '' || userId === '') return null;
    const [types, channels, settings] = await Promise.all([
      eventTypes(),
      usableChannels('personal'),
      api<SettingsRow>('GET', `/users/${encodeURIComponent(userId)}/settings/products/${encodeURIComponent(productId)}`),
    ]);
    return { types, channels, settings };
  }, [productId, userId]);
  return (
    <Page title="Product settings">
      <p>Per-product rows add channels to a member's personal settings for the product-scoped events.</p>
      <ErrorNote message={products.error ?? members.error} />
      <div class="form">
        <div class="field">
          <label for="pick-product">Product</label>
          <select
            id="pick-product"
            value={productId}
            onChange={(e) => {
              setProductId(e.currentTarget.value);
              setUserId('');
            }}
          >
            <option value="">Choose a product</option>
            {(products.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.id})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="pick-member">Member</label>
          <select id="pick-member" value={userId} disabled={productId === ''} onChange={(e) => setUserId(e.currentTarget.value)}>
            <option value="">Choose a member</option>
            {(members.data ?? []).map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.user_id}
                {m.role ? ` (${m.role})` : ''}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote message={row.error} />
      {row.data ? (
        <Matrix
          key={`${productId}/${userId}`}
          caption={`Product ${productId}: channels of ${userId}`}
          eventTypes={row.data.types}
          channels={row.data.channels}
          row={row.data.settings}
          path={`/users/${encodeURIComponent(userId)}/settings/products/${encodeURIComponent(productId)}`}
          productOnly
        />
      ) : null}
    </Page>
  );
}

interface ProductType {
  readonly id: string;
  readonly name: string;
}

export function DirectoryPage() {
  const data = useLoad(async () => {
    const [users, productTypes, products] = await Promise.all([
      listAll<User>('/users'),
      listAll<ProductType>('/product-types'),
      listAll<Product>('/products'),
    ]);
    return { users, productTypes, products };
  }, []);
  return (
    <Page title="Directory">
      <p>Read-only: the directory is fed by the publishing system (API and directory events).</p>
      <ErrorNote message={data.error} />
      <div class="table-scroll">
        <table>
          <caption>Users</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Active</th>
              <th scope="col">Superuser</th>
              <th scope="col">Global role</th>
            </tr>
          </thead>
          <tbody>
            {(data.data?.users ?? []).map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.id}</th>
                <td>{u.username}</td>
                <td>{u.full_name}</td>
                <td class="wrap">{u.email}</td>
                <td>{u.active ? 'yes' : 'no'}</td>
                <td>{u.superuser ? 'yes' : 'no'}</td>
                <td>{u.global_role ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table>
          <caption>Products</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Product type</th>
            </tr>
          </thead>
          <tbody>
            {(data.data?.products ?? []).map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.id}</th>
                <td>{p.name}</td>
                <td>{data.data?.productTypes.find((t) => t.id === p.product_type_id)?.name ?? p.product_type_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

interface Delivery {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly channel: string;
  readonly user_id: string | null;
  readonly outcome: string;
  readonly attempt: number;
  readonly detail: string | null;
  readonly updated_at: string;
}

const OUTCOMES = ['held', 'published', 'delivered', 'retrying', 'failed', 'dropped'];

export function DeliveriesPage() {
  const [filters, setFilters] = useState({ event_id: '', user_id: '', channel: '', outcome: '' });
  const [applied, setApplied] = useState(filters);
  const [tail, setTail] = useState(false);
  const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v !== '')).toString();
  const list = useLoad(() => api<ApiPage<Delivery>>('GET', `/deliveries?limit=200${query === '' ? '' : `&${query}`}`), [query]);
  usePoll(list.reload, 2_000, tail);
  // functional updates: several inputs may change before the next render
  const input = (name: keyof typeof filters) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setFilters((f) => ({ ...f, [name]: value }));
  };
  return (
    <Page title="Deliveries">
      <form
        class="form inline"
        onSubmit={(e) => {
          e.preventDefault();
          // read the controls themselves: a submit may come before the last input's render
          const data = new FormData(e.currentTarget);
          const read = (name: string) => {
            const value = data.get(name);
            return typeof value === 'string' ? value : '';
          };
          setApplied({ event_id: read('event_id'), user_id: read('user_id'), channel: read('channel'), outcome: read('outcome') });
        }}
      >
        <div class="field">
          <label for="f-event">Event id</label>
          <input id="f-event" name="event_id" value={filters.event_id} onInput={input('event_id')} />
        </div>
        <div class="field">
          <label for="f-user">User id</label>
          <input id="f-user" name="user_id" value={filters.user_id} onInput={input('user_id')} />
        </div>
        <div class="field">
          <label for="f-channel">Channel</label>
          <input id="f-channel" name="channel" value={filters.channel} onInput={input('channel')} />
        </div>
        <div class="field">
          <label for="f-outcome">Outcome</label>
          <select id="f-outcome" name="outcome" value={filters.outcome} onChange={input('outcome')}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
        <div class="field check">
          <input type="checkbox" id="f-tail" checked={tail} onChange={(e) => setTail(e.currentTarget.checked)} />
          <label for="f-tail">Live tail (every 2 s)</label>
        </div>
      </form>
      <ErrorNote message={list.error} />
      <div class="table-scroll">
        <table>
          <caption>Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Event</th>
              <th scope="col">Channel</th>
              <th scope="col">User</th>
              <th scope="col">Outcome</th>
              <th scope="col">Attempt</th>
              <th scope="col">Detail</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((d) => (
              <tr key={d.delivery_id}>
                <th scope="row" class="wrap">
                  {d.delivery_id}
                </th>
                <td class="wrap">{d.event_id}</td>
                <td>{d.channel}</td>
                <td>{d.user_id ?? 'system'}</td>
                <td>
                  <span class={`badge outcome-${d.outcome}`}>{d.outcome}</span>
                </td>
                <td>{d.attempt}</td>
                <td class="wrap">{d.detail ?? '—'}</td>
                <td>{formatTime(d.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

interface DecisionEntry {
  readonly scope: string;
  readonly user_id?: string;
  readonly username?: string;
  readonly channels?: readonly string[];
  readonly merged_from?: readonly unknown[];
  readonly skipped?: ReadonlyArray<{ channel?: string; reason?: string }>;
  readonly reason?: string;
}

interface DecisionsView {
  readonly source: string;
  readonly event_id: string;
  readonly type: string;
  readonly column: string;
  readonly decisions: unknown;
  readonly routed_at: string;
}

export function EventInspectorPage() {
  const [eventId, setEventId] = useState('');
  const [source, setSource] = useState('');
  const [result, setResult] = useState<DecisionsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inspect = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      const query = source === '' ? '' : `?source=${encodeURIComponent(source)}`;
      setResult(await api<DecisionsView>('GET', `/events/${encodeURIComponent(eventId)}/decisions${query}`));
    } catch (err) {
      setError(describeError(err));
    }
  };
  const decisions: DecisionEntry[] = Array.isArray(result?.decisions) ? (result.decisions as DecisionEntry[]) : [];
  return (
    <Page title="Event inspector">
      <form class="form inline" onSubmit={(e) => void inspect(e)}>
        <div class="field">
          <label for="ev-id">Event id</label>
          <input id="ev-id" required value={eventId} onInput={(e) => setEventId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="ev-source">Source (when two sources used the id)</label>
          <input id="ev-source" value={source} onInput={(e) => setSource(e.currentTarget.value)} />
        </div>
        <button type="submit">Inspect</button>
      </form>
      <ErrorNote message={error} />
      {result ? (
        <>
          <p>
            Event <strong>{result.event_id}</strong> from <strong>{result.source}</strong>, type {result.type}, routed by column{' '}
            {result.column} at {formatTime(result.routed_at)}.
          </p>
          <div class="table-scroll">
            <table>
              <caption>Decision for every candidate</caption>
              <thead>
                <tr>
                  <th scope="col">Candidate</th>
                  <th scope="col">Channels sent</th>
                  <th scope="col">Not sent, and why</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {decisions.map((d, index) => (
                  <tr key={index}>
                    <th scope="row">
                      {d.scope === 'system' ? 'system' : `${d.username ?? ''}${d.user_id ? ` (${d.user_id})` : ''}` || d.scope}
                    </th>
                    <td>{(d.channels ?? []).join(', ') || '—'}</td>
                    <td class="wrap">{(d.skipped ?? []).map((s) => `${s.channel ?? '?'}: ${s.reason ?? ''}`).join('; ') || '—'}</td>
                    <td class="wrap">{d.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Page>
  );
}

interface DeadLetter {
  readonly id: string;
  readonly stage: string;
  readonly subject: string;
  readonly reason: string;
  readonly event_id: string | null;
  readonly created_at: string;
  readonly replayed_at: string | null;
}

function decodePayload(base64: string): string {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const text = new TextDecoder().decode(bytes);
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  } catch {
    return base64;
  }
}

export function DeadLettersPage() {
  const list = useLoad(() => api<ApiPage<DeadLetter>>('GET', '/dead-letters?limit=200'), []);
  const [payload, setPayload] = useState<{ id: string; text: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = async (id: string) => {
    setError(null);
    try {
      const letter = await api<{ payload_base64: string }>('GET', `/dead-letters/${encodeURIComponent(id)}`);
      setPayload({ id, text: letter.payload_base64 === '' ? '(sent without its payload)' : decodePayload(letter.payload_base64) });
    } catch (e) {
      setError(describeError(e));
    }
  };
  const replay = async (id: string) => {
    setError(null);
    try {
      const r = await api<{ replayed_to: string }>('POST', `/dead-letters/${encodeURIComponent(id)}/replay`);
      setStatus(`Replayed ${id} to ${r.replayed_to}.`);
      list.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Page title="Dead letters">
      <StatusNote message={status} />
      <ErrorNote message={error ?? list.error} />
      <div class="table-scroll">
        <table>
          <caption>Messages Herald gave up on</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Stage</th>
              <th scope="col">Subject</th>
              <th scope="col">Reason</th>
              <th scope="col">Event</th>
              <th scope="col">Created</th>
              <th scope="col">Replayed</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((d) => (
              <tr key={d.id}>
                <th scope="row" class="wrap">
                  {d.id}
                </th>
                <td>{d.stage}</td>
                <td class="wrap">{d.subject}</td>
                <td class="wrap">{d.reason}</td>
                <td class="wrap">{d.event_id ?? '—'}</td>
                <td>{formatTime(d.created_at)}</td>
                <td>{formatTime(d.replayed_at)}</td>
                <td class="actions">
                  <button type="button" onClick={() => void show(d.id)}>
                    Payload<span class="visually-hidden"> of {d.id}</span>
                  </button>
                  <button type="button" onClick={() => void replay(d.id)}>
                    Replay<span class="visually-hidden"> {d.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {payload ? (
        <section aria-label={`Payload of ${payload.id}`}>
          <h2>Payload of {payload.id}</h2>
          <pre class="payload" tabIndex={0}>
            {payload.text}
          </pre>
        </section>
      ) : null}
    </Page>
  );
}
