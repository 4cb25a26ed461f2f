/** Settings matrices: "My notifications" (a user's personal row), and the system and template rows. */
import { api, ApiError, listAll } from '../api.js';
import { ErrorNote, Page, useLoad } from '../components/common.js';
import { Matrix, type EventType, type SettingsRow } from '../components/matrix.js';
import { me } from '../session.js';
import { QuietHoursDigests } from './routing-extensions.js';

export interface ChannelItem {
  readonly name: string;
  readonly builtin: boolean;
  readonly enabled: boolean;
  readonly configured: boolean;
  readonly live: boolean;
  readonly plugin: {
    readonly name: string;
    readonly version: string | null;
    readonly instances: number;
    readonly last_heartbeat: string | null;
  } | null;
  readonly config_schema?: unknown;
  readonly secret_fields?: readonly string[];
}

/** Channels a settings row may name: enabled ones; `msteams` only at system scope (SPEC §3.1). */
export async function usableChannels(scope: 'system' | 'personal'): Promise<string[]> {
  const channels = await listAll<ChannelItem>('/channels');
  return channels.filter((c) => c.enabled && (scope === 'system' || c.name !== 'msteams')).map((c) => c.name);
}

export function eventTypes(): Promise<EventType[]> {
  return listAll<EventType>('/event-types');
}

interface RowPageProps {
  readonly title: string;
  readonly path: string;
  readonly scope: 'system' | 'personal';
  readonly caption: string;
  readonly intro: string;
}

function RowPage(props: RowPageProps) {
  const data = useLoad(async () => {
    const [types, channels] = await Promise.all([eventTypes(), usableChannels(props.scope)]);
    let row: SettingsRow | null;
    try {
      row = await api<SettingsRow>('GET', props.path);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) row = null;
      else throw error;
    }
    return { types, channels, row };
  }, [props.path]);
  const trump = new Set(me.value?.system_level_trump ?? []);
  return (
    <Page title={props.title}>
      <p>{props.intro}</p>
      <ErrorNote message={data.error} />
      {data.data && data.data.row === null ? (
        <p>
          There is no template row: users created from now on get the defaults.{' '}
          <button type="button" onClick={() => void api('PUT', props.path, { events: {} }).then(data.reload)}>
            Create a template from the defaults
          </button>
        </p>
      ) : null}
      {data.data && data.data.row !== null ? (
        <Matrix
          key={props.path}
          caption={props.caption}
          eventTypes={data.data.types}
          channels={data.data.channels}
          row={data.data.row}
          path={props.path}
          trumped={props.scope === 'personal' ? trump : undefined}
        />
      ) : null}
      {props.scope === 'personal' && data.data && data.data.row !== null ? (
        <QuietHoursDigests
          key={`${props.path}-extensions`}
          path={props.path}
          row={data.data.row}
          eventTypes={data.data.types}
          channels={data.data.channels}
        />
      ) : null}
    </Page>
  );
}

export function MyNotificationsPage({ userId }: { userId: string }) {
  return (
    <RowPage
      title="My notifications"
      path={`/users/${encodeURIComponent(userId)}/settings`}
      scope="personal"
      caption="Channels per event"
      intro="Choose on which channels you hear about each event, and optionally a filter (minimum severity, product types, tags) an event must pass. Changes are saved at once. Events marked “system adds channels” also use the channels of the system settings."
    />
  );
}

export function SystemSettingsPage() {
  return (
    <RowPage
      title="System settings"
      path="/settings/system"
      scope="system"
      caption="System channels per event"
      intro="System-scope notifications: the Slack system channel, the mail_notifications_to addresses, Teams, system webhooks, and alerts to superusers."
    />
  );
}

export function TemplateSettingsPage() {
  return (
    <RowPage
      title="Template settings"
      path="/settings/template"
      scope="personal"
      caption="Template channels per event"
      intro="Copied into the personal settings of every user created from now on."
    />
  );
}
