/**
 * The settings matrix as DefectDojo shows it: one row per event column, one column per channel,
 * a checkbox in each cell. Every checkbox has a label naming its event and channel; Tab moves
 * through them, Space toggles. Rows the system row trumps carry a mark explaining it. The last
 * column shows the row's filter for the event (SPEC §3.6: minimum severity, product types, tags)
 * and edits it in place; each change is one `PATCH` of that column's filter.
 */
import { useState } from 'preact/hooks';
import { api, describeError } from '../api.js';
import { ErrorNote, StatusNote } from './common.js';

export interface EventType {
  readonly name: string;
  readonly label: string;
  readonly defaultChannels: readonly string[];
  readonly productScoped: boolean;
}

/** A column's filter (SPEC §3.6); every clause optional, an event must pass all given. */
export interface ColumnFilter {
  readonly min_severity?: string;
  readonly product_types?: readonly string[];
  readonly tags_any?: readonly string[];
}

export interface SettingsRow {
  readonly events: Record<string, string[]>;
  /** Only columns with a filter are present. */
  readonly filters?: Record<string, ColumnFilter>;
  /** Personal rows and the template: quiet hours, `null` when none (SPEC §3.6). */
  readonly quiet_hours?: {
    readonly timezone: string;
    readonly windows: ReadonlyArray<{ readonly days: readonly string[]; readonly start: string; readonly end: string }>;
    readonly bypass: readonly string[];
  } | null;
  /** Personal rows and the template: column → channel → `hourly` | `daily at HH:MM`. */
  readonly digests?: Record<string, Record<string, string>>;
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Info'] as const;

/** "severity ≥ High · product types 1, 2 · tags pci" or "none". */
export function describeFilter(filter: ColumnFilter | undefined): string {
  if (!filter) return 'none';
  const parts: string[] = [];
  if (filter.min_severity) parts.push(`severity ≥ ${filter.min_severity}`);
  if (filter.product_types && filter.product_types.length > 0) parts.push(`product types ${filter.product_types.join(', ')}`);
  if (filter.tags_any && filter.tags_any.length > 0) parts.push(`tags ${filter.tags_any.join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

function list(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export interface MatrixProps {
  /** Accessible name of the table, e.g. "My notifications". */
  readonly caption: string;
  readonly eventTypes: readonly EventType[];
  readonly channels: readonly string[];
  readonly row: SettingsRow;
  /** API path of the row; each toggle sends `PATCH <path>` with that one column. */
  readonly path: string;
  /** Events whose system row is merged in (HERALD_SYSTEM_LEVEL_TRUMP). */
  readonly trumped?: ReadonlySet<string>;
  /** Only product-scoped columns (product rows). */
  readonly productOnly?: boolean;
  readonly onSaved?: (row: SettingsRow) => void;
}

export function Matrix(props: MatrixProps) {
  const [row, setRow] = useState(props.row);
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const types = props.productOnly ? props.eventTypes.filter((t) => t.productScoped) : props.eventTypes;

  const toggle = async (type: EventType, channel: string, on: boolean) => {
    const current = row.events[type.name] ?? [];
    const next = on ? [...new Set([...current, channel])] : current.filter((c) => c !== channel);
    const before = row;
    // Shown at once; put back if the server refuses it.
    setRow({ ...row, events: { ...row.events, [type.name]: next } });
    setBusy(`${type.name}:${channel}`);
    setError(null);
    try {
      const saved = await api<SettingsRow>('PATCH', props.path, { events: { [type.name]: next } });
      setRow(saved);
      props.onSaved?.(saved);
      setStatus(`Saved: ${type.label} ${on ? 'now uses' : 'no longer uses'} ${channel}.`);
    } catch (e) {
      setRow(before);
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  const [editing, setEditing] = useState<string | null>(null);

  const saveFilter = async (type: EventType, filter: ColumnFilter | null) => {
    setBusy(`${type.name}:filter`);
    setError(null);
    try {
      // `events` is required in every write; an empty one changes no column
      const saved = await api<SettingsRow>('PATCH', props.path, { events: {}, filters: { [type.name]: filter } });
      setRow(saved);
      props.onSaved?.(saved);
      setEditing(null);
      setStatus(`Saved: filter of ${type.label}: ${describeFilter(saved.filters?.[type.name])}.`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  const width = props.channels.length + 2;

  return (
    <div class="matrix">
      <div class="table-scroll">
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              {props.channels.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">Filter</th>
            </tr>
          </thead>
          <tbody>
            {types.map((type) => {
              const trumped = props.trumped?.has(type.name) ?? false;
              const filter = row.filters?.[type.name];
              return [
                <tr key={type.name}>
                  <th scope="row">
                    {type.label}
                    {trumped ? (
                      <span class="mark" title="The system settings add their channels to yours for this event">
                        {' '}
                        · system adds channels
                      </span>
                    ) : null}
                  </th>
                  {props.channels.map((channel) => {
                    const id = `cell-${type.name}-${channel}`;
                    const checked = (row.events[type.name] ?? []).includes(channel);
                    return (
                      <td key={channel}>
                        <input
                          type="checkbox"
                          id={id}
                          checked={checked}
                          disabled={busy !== null}
                          aria-label={`${type.label}: ${channel}`}
                          onChange={(event) => void toggle(type, channel, event.currentTarget.checked)}
                        />
                      </td>
                    );
                  })}
                  <td class="filter-cell">
                    <span data-testid={`filter-${type.name}`}>{describeFilter(filter)}</span>{' '}
                    <button
                      type="button"
                      class="link"
                      aria-expanded={editing === type.name}
                      aria-label={`Edit the filter of ${type.label}`}
                      disabled={busy !== null}
                      onClick={() => setEditing(editing === type.name ? null : type.name)}
                    >
                      Edit
                    </button>
                  </td>
                </tr>,
                editing === type.name ? (
                  <tr key={`${type.name}-filter`} class="filter-row">
                    <td colSpan={width}>
                      <FilterEditor
                        type={type}
                        filter={filter}
                        busy={busy !== null}
                        onSave={(f) => void saveFilter(type, f)}
                        onCancel={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
      </div>
      <StatusNote message={status} />
      <ErrorNote message={error} />
    </div>
  );
}

interface FilterEditorProps {
  readonly type: EventType;
  readonly filter: ColumnFilter | undefined;
  readonly busy: boolean;
  /** `null` removes the filter. */
  readonly onSave: (filter: ColumnFilter | null) => void;
  readonly onCancel: () => void;
}

function FilterEditor({ type, filter, busy, onSave, onCancel }: FilterEditorProps) {
  const [severity, setSeverity] = useState(filter?.min_severity ?? '');
  const [productTypes, setProductTypes] = useState((filter?.product_types ?? []).join(', '));
  const [tags, setTags] = useState((filter?.tags_any ?? []).join(', '));
  const id = (name: string) => `filter-${type.name}-${name}`;
  const submit = (event: Event) => {
    event.preventDefault();
    const next: { min_severity?: string; product_types?: string[]; tags_any?: string[] } = {};
    if (severity !== '') next.min_severity = severity;
    const types = list(productTypes);
    if (types.length > 0) next.product_types = types;
    const tagList = list(tags);
    if (tagList.length > 0) next.tags_any = tagList;
    onSave(Object.keys(next).length === 0 ? null : next);
  };
  return (
    <form class="form inline" aria-label={`Filter of ${type.label}`} onSubmit={submit}>
      <div class="field">
        <label for={id('severity')}>Minimum severity</label>
        <select id={id('severity')} value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
          <option value="">any</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={id('types')}>Product type ids (comma-separated)</label>
        <input id={id('types')} value={productTypes} onInput={(e) => setProductTypes(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={id('tags')}>Any of these tags (comma-separated)</label>
        <input id={id('tags')} value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        Save filter
      </button>
      <button type="button" disabled={busy || filter === undefined} onClick={() => onSave(null)}>
        Remove filter
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
