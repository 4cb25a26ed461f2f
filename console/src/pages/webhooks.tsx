/** Webhook endpoints: "My webhooks" (a user's own) or all of them (admin). Status is re-read every 3 s. */
import { useState } from 'preact/hooks';
import { api, describeError, type Page as ApiPage } from '../api.js';
import { ErrorNote, Page, StatusNote, formatTime, useLoad, usePoll } from '../components/common.js';

interface Endpoint {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly owner: string | null;
  readonly status: string;
  readonly first_error: string | null;
  readonly last_error: string | null;
  readonly note: string | null;
  readonly header_name: string | null;
  readonly updated_at: string;
}

const STATUS_TEXT: Record<string, string> = {
  active: 'active',
  active_tmp: 'active (recovering)',
  inactive_tmp: 'inactive for now (temporary error)',
  inactive_permanent: 'inactive (permanent)',
};

export function WebhooksPage({ all }: { all: boolean }) {
  const list = useLoad(() => api<ApiPage<Endpoint>>('GET', '/webhooks?limit=500'), []);
  usePoll(list.reload, 3_000);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', url: '', header_name: '', header_value: '', owner: '', skip_ping: false });

  const run = async (call: () => Promise<string>) => {
    setError(null);
    try {
      setStatus(await call());
      list.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const create = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = { name: form.name, url: form.url };
      if (form.header_name !== '') body['header_name'] = form.header_name;
      if (form.header_value !== '') body['header_value'] = form.header_value;
      if (all && form.owner !== '') body['owner'] = form.owner;
      if (form.skip_ping) body['skip_ping'] = true;
      const created = await api<Endpoint>('POST', '/webhooks', body);
      setForm({ name: '', url: '', header_name: '', header_value: '', owner: '', skip_ping: false });
      return form.skip_ping ? `Created ${created.name} without a ping.` : `Ping answered: created ${created.name}.`;
    });
  };
  // functional updates: several inputs may change before the next render
  const input = (name: keyof typeof form) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setForm((f) => ({ ...f, [name]: value }));
  };

  return (
    <Page title={all ? 'All webhooks' : 'My webhooks'}>
      <StatusNote message={status} />
      <ErrorNote message={error ?? list.error} />
      <div class="table-scroll">
        <table>
          <caption>{all ? 'Every webhook endpoint' : 'Your webhook endpoints'}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              {all ? <th scope="col">Owner</th> : null}
              <th scope="col">Status</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((endpoint) => {
              const path = `/webhooks/${encodeURIComponent(endpoint.id)}`;
              return (
                <tr key={endpoint.id}>
                  <th scope="row">{endpoint.name}</th>
                  <td class="wrap">{endpoint.url}</td>
                  {all ? <td>{endpoint.owner ?? 'system'}</td> : null}
                  <td>
                    <span class={`badge status-${endpoint.status}`} data-status={endpoint.status}>
                      {STATUS_TEXT[endpoint.status] ?? endpoint.status}
                    </span>
                  </td>
                  <td class="wrap">
                    {endpoint.last_error === null ? '—' : formatTime(endpoint.last_error)}
                    {endpoint.note !== null ? <span class="meta"> {endpoint.note}</span> : null}
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          const r = await api<{ ok: boolean; detail: string }>('POST', `${path}/test`);
                          return `Test of ${endpoint.name}: ${r.ok ? 'answered' : 'failed'} — ${r.detail}`;
                        })
                      }
                    >
                      Test<span class="visually-hidden"> {endpoint.name}</span>
                    </button>
                    {endpoint.status === 'inactive_permanent' || endpoint.status === 'inactive_tmp' ? (
                      <button
                        type="button"
                        onClick={() => void run(async () => (await api('POST', `${path}/activate`), `${endpoint.name} activated.`))}
                      >
                        Activate<span class="visually-hidden"> {endpoint.name}</span>
                      </button>
                    ) : (
                      <button
                        type="button"
                        onClick={() => void run(async () => (await api('POST', `${path}/deactivate`), `${endpoint.name} deactivated.`))}
                      >
                        Deactivate<span class="visually-hidden"> {endpoint.name}</span>
                      </button>
                    )}
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (confirm(`Delete ${endpoint.name}?`))
                          void run(async () => (await api('DELETE', path), `${endpoint.name} deleted.`));
                      }}
                    >
                      Delete<span class="visually-hidden"> {endpoint.name}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>Add an endpoint</h2>
      <form class="form" onSubmit={create}>
        <div class="field">
          <label for="wh-name">Name</label>
          <input id="wh-name" required maxLength={100} value={form.name} onInput={input('name')} />
        </div>
        <div class="field">
          <label for="wh-url">URL</label>
          <input id="wh-url" type="url" required value={form.url} onInput={input('url')} placeholder="https://example.com/herald" />
        </div>
        <div class="field">
          <label for="wh-header-name">Custom header name (optional)</label>
          <input id="wh-header-name" value={form.header_name} onInput={input('header_name')} />
        </div>
        <div class="field">
          <label for="wh-header-value">Custom header value (optional, write-only)</label>
          <input
            id="wh-header-value"
            type="password"
            autoComplete="new-password"
            value={form.header_value}
            onInput={input('header_value')}
          />
        </div>
        {all ? (
          <div class="field">
            <label for="wh-owner">Owner user id (empty: a system endpoint)</label>
            <input id="wh-owner" value={form.owner} onInput={input('owner')} />
          </div>
        ) : null}
        <div class="field check">
          <input
            type="checkbox"
            id="wh-skip"
            checked={form.skip_ping}
            onChange={(e) => setForm({ ...form, skip_ping: e.currentTarget.checked })}
          />
          <label for="wh-skip">Create without sending a ping first</label>
        </div>
        <button type="submit">Create and ping</button>
      </form>
    </Page>
  );
}
