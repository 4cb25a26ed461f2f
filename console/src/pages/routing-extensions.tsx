/**
 * Quiet hours and digests (SPEC §3.6) of a personal row or the template, shown under its matrix.
 * Each form saves with one `PATCH` of the row carrying only its own field (`quiet_hours` or
 * `digests`, beside an empty `events`); the API validates them (time zone, times, columns,
 * channels) and its message is shown as is on refusal. Filters live in the settings matrix
 * (`components/matrix.tsx`), simulation in `pages/simulation.tsx`.
 */
import { useState } from 'preact/hooks';
import { api, describeError } from '../api.js';
import { ErrorNote, StatusNote } from '../components/common.js';
import type { EventType, SettingsRow } from '../components/matrix.js';

export interface QuietWindow {
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
}

export interface QuietHours {
  readonly timezone: string;
  readonly windows: readonly QuietWindow[];
  readonly bypass: readonly string[];
}

/** Column → channel → `hourly` | `daily at HH:MM`. */
export type Digests = Record<string, Record<string, string>>;

const DAYS = [
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['sun', 'Sun'],
] as const;

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function knownTimeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** "22:00–07:00 on Mon, Tue · Europe/Berlin" summaries for the status line. */
function describeQuiet(quiet: QuietHours | null | undefined): string {
  if (!quiet) return 'no quiet hours';
  const windows = quiet.windows.map((w) => `${w.start}–${w.end} on ${w.days.join(', ')}`).join('; ');
  return `${windows === '' ? 'no windows' : windows} (${quiet.timezone})`;
}

interface Props {
  /** API path of the row (`/users/<id>/settings` or `/settings/template`). */
  readonly path: string;
  readonly row: SettingsRow;
  readonly eventTypes: readonly EventType[];
  /** Channels usable in the row; `alert` is never offered for digests. */
  readonly channels: readonly string[];
}

export function QuietHoursDigests(props: Props) {
  return (
    <div class="routing-extensions">
      <QuietHoursForm path={props.path} quiet={props.row.quiet_hours ?? null} eventTypes={props.eventTypes} />
      <DigestsForm
        path={props.path}
        digests={props.row.digests ?? {}}
        eventTypes={props.eventTypes}
        channels={props.channels.filter((c) => c !== 'alert')}
      />
    </div>
  );
}

interface EditWindow {
  readonly key: number;
  readonly days: string[];
  readonly start: string;
  readonly end: string;
}

let windowKey = 0;
function editable(w: QuietWindow): EditWindow {
  return { key: ++windowKey, days: [...w.days], start: w.start, end: w.end };
}
function newWindow(): EditWindow {
  return editable({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '07:00' });
}

function QuietHoursForm(props: { path: string; quiet: QuietHours | null; eventTypes: readonly EventType[] }) {
  const [saved, setSaved] = useState<QuietHours | null>(props.quiet);
  const [timezone, setTimezone] = useState(props.quiet?.timezone ?? browserTimeZone());
  const [windows, setWindows] = useState<EditWindow[]>(props.quiet ? props.quiet.windows.map(editable) : [newWindow()]);
  const [bypass, setBypass] = useState<string[]>([...(props.quiet?.bypass ?? [])]);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zones] = useState(knownTimeZones);

  const write = async (quiet: QuietHours | null) => {
    setBusy(true);
    setError(null);
    try {
      const row = await api<SettingsRow>('PATCH', props.path, { events: {}, quiet_hours: quiet });
      const now = row.quiet_hours ?? null;
      setSaved(now);
      if (now === null) {
        setWindows([newWindow()]);
        setBypass([]);
      }
      setStatus(`Saved: ${describeQuiet(now)}.`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const update = (key: number, change: Partial<EditWindow>) =>
    setWindows((all) => all.map((w) => (w.key === key ? { ...w, ...change } : w)));

  const submit = (event: Event) => {
    event.preventDefault();
    void write({
      timezone: timezone.trim(),
      windows: windows.map((w) => ({ days: DAYS.map(([d]) => d).filter((d) => w.days.includes(d)), start: w.start, end: w.end })),
      bypass,
    });
  };

  return (
    <section class="panel" aria-labelledby="quiet-hours-title">
      <h2 id="quiet-hours-title">Quiet hours</h2>
      <p class="meta">
        During a window your mail, Slack and webhook deliveries wait until the window ends; in-app alerts and the columns checked under
        “Always at once” still go at once. Now: <span data-testid="quiet-now">{describeQuiet(saved)}</span>
      </p>
      <form class="form quiet-form" aria-label="Quiet hours" onSubmit={submit}>
        <div class="field">
          <label for="quiet-timezone">Time zone (IANA name, e.g. Europe/Berlin)</label>
          <input
            id="quiet-timezone"
            list="quiet-timezones"
            autocomplete="off"
            spellcheck={false}
            value={timezone}
            onInput={(e) => setTimezone(e.currentTarget.value)}
          />
          <datalist id="quiet-timezones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </div>
        {windows.map((w, index) => {
          const n = index + 1;
          const id = (name: string) => `quiet-${w.key}-${name}`;
          return (
            <fieldset key={w.key} class="quiet-window">
              <legend>Window {n}</legend>
              <div class="days" role="group" aria-label={`Days window ${n} starts on`}>
                {DAYS.map(([day, label]) => (
                  <div class="field check" key={day}>
                    <input
                      type="checkbox"
                      id={id(day)}
                      checked={w.days.includes(day)}
                      onChange={(e) =>
                        update(w.key, {
                          days: e.currentTarget.checked ? [...w.days, day] : w.days.filter((d) => d !== day),
                        })
                      }
                    />
                    <label for={id(day)}>
                      {label}
                      <span class="visually-hidden"> (window {n})</span>
                    </label>
                  </div>
                ))}
              </div>
              <div class="times">
                <div class="field">
                  <label for={id('start')}>Start (window {n})</label>
                  <input
                    type="time"
                    id={id('start')}
                    required
                    value={w.start}
                    onInput={(e) => update(w.key, { start: e.currentTarget.value })}
                  />
                </div>
                <div class="field">
                  <label for={id('end')}>End (window {n})</label>
                  <input type="time" id={id('end')} required value={w.end} onInput={(e) => update(w.key, { end: e.currentTarget.value })} />
                </div>
                <button type="button" onClick={() => setWindows((all) => all.filter((x) => x.key !== w.key))}>
                  Remove window {n}
                </button>
              </div>
            </fieldset>
          );
        })}
        <div>
          <button type="button" onClick={() => setWindows((all) => [...all, newWindow()])}>
            Add a window
          </button>
        </div>
        <fieldset>
          <legend>Always at once (bypass quiet hours)</legend>
          <div class="checks">
            {props.eventTypes.map((type) => (
              <div class="field check" key={type.name}>
                <input
                  type="checkbox"
                  id={`quiet-bypass-${type.name}`}
                  checked={bypass.includes(type.name)}
                  onChange={(e) => setBypass((all) => (e.currentTarget.checked ? [...all, type.name] : all.filter((c) => c !== type.name)))}
                />
                <label for={`quiet-bypass-${type.name}`}>{type.label}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Save quiet hours
          </button>
          <button type="button" disabled={busy || saved === null} onClick={() => void write(null)}>
            No quiet hours
          </button>
        </div>
      </form>
      <StatusNote message={status} />
      <ErrorNote message={error} />
    </section>
  );
}

/** `hourly`, `daily at HH:MM`, or none (`''`). */
type Kind = '' | 'hourly' | 'daily';

function parseSchedule(schedule: string | undefined): { kind: Kind; at: string } {
  if (schedule === 'hourly') return { kind: 'hourly', at: '08:00' };
  const daily = /^daily at (\d\d:\d\d)$/.exec(schedule ?? '');
  if (daily) return { kind: 'daily', at: daily[1]! };
  return { kind: '', at: '08:00' };
}

function DigestsForm(props: { path: string; digests: Digests; eventTypes: readonly EventType[]; channels: readonly string[] }) {
  const [draft, setDraft] = useState<Record<string, { kind: Kind; at: string }>>(() => {
    const cells: Record<string, { kind: Kind; at: string }> = {};
    for (const type of props.eventTypes)
      for (const channel of props.channels) cells[`${type.name}:${channel}`] = parseSchedule(props.digests[type.name]?.[channel]);
    return cells;
  });
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const cell = (column: string, channel: string) => draft[`${column}:${channel}`] ?? { kind: '' as Kind, at: '08:00' };
  const set = (column: string, channel: string, change: Partial<{ kind: Kind; at: string }>) =>
    setDraft((all) => ({ ...all, [`${column}:${channel}`]: { ...cell(column, channel), ...change } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, Record<string, string> | null> = {};
    for (const type of props.eventTypes) {
      const byChannel: Record<string, string> = {};
      for (const channel of props.channels) {
        const { kind, at } = cell(type.name, channel);
        if (kind === 'hourly') byChannel[channel] = 'hourly';
        else if (kind === 'daily') byChannel[channel] = `daily at ${at}`;
      }
      body[type.name] = Object.keys(byChannel).length > 0 ? byChannel : null;
    }
    setBusy(true);
    setError(null);
    try {
      const row = await api<SettingsRow>('PATCH', props.path, { events: {}, digests: body });
      const count = Object.values(row.digests ?? {}).reduce((sum, byChannel) => sum + Object.keys(byChannel).length, 0);
      setStatus(`Saved: ${count === 0 ? 'no digests' : `${count} digest${count === 1 ? '' : 's'}`}.`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="digests-title">
      <h2 id="digests-title">Digests</h2>
      <p class="meta">
        Collect an event's deliveries on a channel into one message per hour or per day (in your quiet hours' time zone, else UTC). In-app
        alerts are never digested.
      </p>
      {props.channels.length === 0 ? (
        <p>No channel but in-app alerts is enabled, so there is nothing to digest.</p>
      ) : (
        <form aria-label="Digests" onSubmit={(e) => void submit(e)}>
          <div class="table-scroll">
            <table class="digests">
              <caption>Digest per event and channel</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  {props.channels.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {props.eventTypes.map((type) => (
                  <tr key={type.name}>
                    <th scope="row">{type.label}</th>
                    {props.channels.map((channel) => {
                      const { kind, at } = cell(type.name, channel);
                      const id = `digest-${type.name}-${channel}`;
                      return (
                        <td key={channel}>
                          <select
                            id={id}
                            aria-label={`${type.label}: ${channel} digest`}
                            value={kind}
                            onChange={(e) => set(type.name, channel, { kind: e.currentTarget.value as Kind })}
                          >
                            <option value="">none</option>
                            <option value="hourly">hourly</option>
                            <option value="daily">daily at</option>
                          </select>
                          {kind === 'daily' ? (
                            <input
                              type="time"
                              required
                              aria-label={`${type.label}: ${channel} digest time`}
                              value={at}
                              onInput={(e) => set(type.name, channel, { at: e.currentTarget.value })}
                            />
                          ) : null}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="submit" disabled={busy}>
            Save digests
          </button>
        </form>
      )}
      <StatusNote message={status} />
      <ErrorNote message={error} />
    </section>
  );
}
