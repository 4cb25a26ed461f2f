/**
 * The settings matrix as DefectDojo shows it: one row per event column, one column per channel,
 * a checkbox in each cell. Every checkbox has a label naming its event and channel; Tab moves
 * through them, Space toggles. Rows the system row trumps carry a mark explaining it.
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

export interface SettingsRow {
  readonly events: Record<string, string[]>;
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
            </tr>
          </thead>
          <tbody>
            {types.map((type) => {
              const trumped = props.trumped?.has(type.name) ?? false;
              return (
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
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <StatusNote message={status} />
      <ErrorNote message={error} />
    </div>
  );
}
