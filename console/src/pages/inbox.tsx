/** The alerts inbox: list, live arrivals, mark read, delete, delete all, open the alert's link. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { arrived, keepArrivedSince, refreshCount, streamOpens } from '../alerts.js';
import { api, describeError, type Page as ApiPage } from '../api.js';
import type { AlertJson } from '../live-alerts.js';
import { ErrorNote, Page, StatusNote, formatTime, useLoad } from '../components/common.js';

export function InboxPage({ userId }: { userId: string }) {
  const base = `/users/${encodeURIComponent(userId)}/alerts`;
  const [onlyUnread, setOnlyUnread] = useState(false);
  const fetchedAt = useRef(0);
  // reloaded on every (re)connection of the stream too: an alert stored while it was not connected
  // is never announced on it
  const list = useLoad(() => {
    fetchedAt.current = performance.now();
    return api<ApiPage<AlertJson>>('GET', `${base}?limit=200${onlyUnread ? '&unread=true' : ''}`);
  }, [userId, onlyUnread, streamOpens.value]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (list.data) keepArrivedSince(fetchedAt.current);
  }, [list.data]);

  const loaded = list.data?.items ?? [];
  const known = new Set(loaded.map((a) => a.id));
  const alerts = [...arrived.value.map((a) => a.alert).filter((a) => !known.has(a.id)), ...loaded];

  const act = async (what: string, call: () => Promise<unknown>) => {
    setError(null);
    try {
      await call();
      setStatus(what);
      list.reload();
      await refreshCount(userId);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <Page title="Alerts">
      <div class="toolbar">
        <div class="field check">
          <input type="checkbox" id="only-unread" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.currentTarget.checked)} />
          <label for="only-unread">Unread only</label>
        </div>
        <button type="button" onClick={() => void act('Every alert marked read.', () => api('POST', `${base}/read-all`))}>
          Mark all read
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirm('Delete every alert?')) void act('Every alert deleted.', () => api('DELETE', base));
          }}
        >
          Delete all
        </button>
      </div>
      <StatusNote message={status} />
      <ErrorNote message={error ?? list.error} />
      {alerts.length === 0 && !list.loading ? <p>No alerts.</p> : null}
      <ul class="alerts" aria-label="Alerts">
        {alerts.map((alert) => (
          <li key={alert.id} class={alert.read_at === null ? 'alert unread' : 'alert'}>
            <div class="alert-head">
              <span class="alert-title">{alert.title}</span>
              <span class="badge">{alert.source}</span>
              {alert.read_at === null ? <span class="badge unread-badge">unread</span> : null}
            </div>
            <p class="alert-description">{alert.description}</p>
            <p class="meta">{formatTime(alert.created_at)}</p>
            <div class="actions">
              {alert.url !== null && /^https?:\/\//.test(alert.url) ? (
                <a href={alert.url} rel="noopener noreferrer" target="_blank">
                  Open<span class="visually-hidden"> {alert.title}</span>
                </a>
              ) : null}
              {alert.read_at === null ? (
                <button
                  type="button"
                  onClick={() => void act('Marked read.', () => api('POST', `${base}/${encodeURIComponent(alert.id)}/read`))}
                >
                  Mark read<span class="visually-hidden"> {alert.title}</span>
                </button>
              ) : null}
              <button
                type="button"
                class="danger"
                onClick={() => void act('Alert deleted.', () => api('DELETE', `${base}/${encodeURIComponent(alert.id)}`))}
              >
                Delete<span class="visually-hidden"> {alert.title}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}
