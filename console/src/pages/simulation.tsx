/**
 * Simulation (SPEC §3.6): `POST /api/v1/events/simulate` with an event built from the form, and
 * what routing would do with it now — every candidate's decision with its reason, and the
 * deliveries. Nothing is published or recorded. An admin may simulate for any user (or all); a
 * user token is always answered about itself. Every value is rendered as text.
 */
import { useState } from 'preact/hooks';
import { api, describeError, listAll } from '../api.js';
import { ErrorNote, Page, formatTime, useLoad } from '../components/common.js';
import type { EventType } from '../components/matrix.js';
import { me } from '../session.js';
import { eventTypes } from './notifications.js';

export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Info'] as const;

interface Product {
  readonly id: string;
  readonly name: string;
}

interface Skipped {
  readonly channel?: string;
  readonly reason?: string;
}

interface SimDecision {
  readonly scope: string;
  readonly user_id?: string;
  readonly username?: string;
  readonly channels?: readonly string[];
  readonly merged_from?: readonly string[];
  readonly skipped?: readonly Skipped[];
  readonly filtered?: ReadonlyArray<{ row?: string; channels?: readonly string[]; reason?: string }>;
  readonly reason?: string;
}

interface SimDelivery {
  readonly delivery_id: string;
  readonly channel: string;
  readonly destination: { readonly scope: string; readonly user?: { readonly username?: string; readonly id?: string } };
}

interface SimResult {
  readonly column: string;
  readonly simulated_at: string;
  readonly user: { readonly id: string; readonly username: string } | null;
  readonly candidate?: boolean;
  readonly deliveries: readonly SimDelivery[];
  readonly decisions: readonly SimDecision[];
}

/** Comma- or space-separated text → trimmed non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function candidate(d: SimDecision): string {
  if (d.scope === 'system') return 'system pass';
  if (d.scope === 'users') return 'user pass';
  const name = d.username ?? '';
  return d.user_id ? `${name} (${d.user_id})` : name || d.scope;
}

function notSent(d: SimDecision): string {
  const skipped = (d.skipped ?? []).map((s) => `${s.channel ?? '?'}: ${s.reason ?? ''}`);
  const filtered = (d.filtered ?? []).map((f) => `${f.row ?? '?'} row filter (${(f.channels ?? []).join(', ')}): ${f.reason ?? ''}`);
  return [...skipped, ...filtered].join('; ') || '—';
}

export function SimulationPage() {
  const identity = me.value;
  const admin = identity?.kind === 'admin';
  const loaded = useLoad(async () => {
    const [types, products] = await Promise.all([eventTypes(), admin ? listAll<Product>('/products') : Promise.resolve([] as Product[])]);
    return { types, products };
  }, [admin]);
  const [type, setType] = useState('');
  const [productId, setProductId] = useState('');
  const [severity, setSeverity] = useState('');
  const [tags, setTags] = useState('');
  const [username, setUsername] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SimResult | null>(null);

  const types: readonly EventType[] = loaded.data?.types ?? [];
  const chosenType = type || types[0]?.name || '';

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    const data: Record<string, unknown> = {};
    const product = loaded.data?.products.find((p) => p.id === productId.trim());
    if (productId.trim() !== '') data['product'] = { id: productId.trim(), name: product?.name ?? productId.trim() };
    if (severity !== '') data['severity'] = severity;
    const tagList = splitList(tags);
    if (tagList.length > 0) data['tags'] = tagList;
    const body: Record<string, unknown> = {
      event: { specversion: '1.0', id: `console-simulation-${Date.now()}`, source: 'console', type: chosenType, data },
    };
    if (admin && username.trim() !== '') body['username'] = username.trim();
    try {
      setResult(await api<SimResult>('POST', '/events/simulate', body));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Simulation">
      <p>
        What routing would do with an event now, with the current settings and directory. Nothing is sent and nothing is recorded.
        {admin ? ' Leave the user empty to see every candidate.' : ' You see your own part of the result.'}
      </p>
      <ErrorNote message={loaded.error} />
      <form class="form" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="sim-type">Event type</label>
          <select id="sim-type" value={chosenType} required onChange={(e) => setType(e.currentTarget.value)}>
            {types.map((t) => (
              <option key={t.name} value={t.name}>
                {t.label} ({t.name})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sim-product">Product id (optional)</label>
          <input
            id="sim-product"
            list={admin ? 'sim-products' : undefined}
            value={productId}
            onInput={(e) => setProductId(e.currentTarget.value)}
          />
          {admin ? (
            <datalist id="sim-products">
              {(loaded.data?.products ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </datalist>
          ) : null}
        </div>
        <div class="field">
          <label for="sim-severity">Severity (optional)</label>
          <select id="sim-severity" value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
            <option value="">none</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sim-tags">Tags (optional, comma-separated)</label>
          <input id="sim-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
        </div>
        {admin ? (
          <div class="field">
            <label for="sim-user">Username (optional)</label>
            <input id="sim-user" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          </div>
        ) : null}
        <button type="submit" disabled={busy || chosenType === ''}>
          Simulate
        </button>
      </form>
      <ErrorNote message={error} />
      {result ? <SimulationResult result={result} /> : null}
    </Page>
  );
}

function SimulationResult({ result }: { result: SimResult }) {
  return (
    <section aria-labelledby="sim-result">
      <h2 id="sim-result">Result</h2>
      <p>
        Routed by column <strong>{result.column}</strong> at {formatTime(result.simulated_at)}
        {result.user ? `, restricted to ${result.user.username}` : ''}
        {result.candidate === false ? ' — routing did not consider this user at all.' : '.'}
      </p>
      <div class="table-scroll">
        <table>
          <caption>Decision for every candidate</caption>
          <thead>
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Channels sent</th>
              <th scope="col">Rows merged</th>
              <th scope="col">Not sent, and why</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {result.decisions.map((d, index) => (
              <tr key={index}>
                <th scope="row">{candidate(d)}</th>
                <td>{(d.channels ?? []).join(', ') || '—'}</td>
                <td>{(d.merged_from ?? []).join(', ') || '—'}</td>
                <td class="wrap">{notSent(d)}</td>
                <td class="wrap">{d.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table>
          <caption>Deliveries ({result.deliveries.length})</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Destination</th>
              <th scope="col">Delivery id</th>
            </tr>
          </thead>
          <tbody>
            {result.deliveries.length === 0 ? (
              <tr>
                <td colSpan={3}>No delivery.</td>
              </tr>
            ) : (
              result.deliveries.map((d) => (
                <tr key={d.delivery_id}>
                  <td>{d.channel}</td>
                  <td>
                    {d.destination.scope === 'personal' ? (d.destination.user?.username ?? d.destination.user?.id ?? 'a user') : 'system'}
                  </td>
                  <td class="wrap">
                    <code>{d.delivery_id}</code>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
