/** The Herald console: sign-in, navigation, and the page for the current path. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { startLiveAlerts, unread } from './alerts.js';
import { describeError } from './api.js';
import { Link, Page } from './components/common.js';
import { path } from './router.js';
import { me, resume, signIn, signOut } from './session.js';
import { ChannelsPage, DeadLettersPage, DeliveriesPage, DirectoryPage, EventInspectorPage, ProductSettingsPage } from './pages/admin.js';
import { InboxPage } from './pages/inbox.js';
import { MyNotificationsPage, SystemSettingsPage, TemplateSettingsPage } from './pages/notifications.js';
import { SimulationPage } from './pages/simulation.js';
import { WebhooksPage } from './pages/webhooks.js';

function SignIn() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(value.trim());
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Herald console</h1>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="token">API token</label>
          <input id="token" type="password" autoComplete="off" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          <span class="hint">An admin or user token (`npx herald token create`). It is kept only for this browser session.</span>
        </div>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {error !== null ? (
        <p class="note error" role="alert">
          {error}
        </p>
      ) : null}
    </main>
  );
}

interface NavItem {
  readonly href: string;
  readonly label: string;
}

const USER_NAV: NavItem[] = [
  { href: '/', label: 'Alerts' },
  { href: '/settings', label: 'My notifications' },
  { href: '/webhooks', label: 'My webhooks' },
  { href: '/simulation', label: 'Simulation' },
];

const ADMIN_NAV: NavItem[] = [
  { href: '/admin/system', label: 'System settings' },
  { href: '/admin/template', label: 'Template' },
  { href: '/admin/products', label: 'Product settings' },
  { href: '/admin/channels', label: 'Channels' },
  { href: '/admin/webhooks', label: 'Webhooks' },
  { href: '/admin/directory', label: 'Directory' },
  { href: '/admin/deliveries', label: 'Deliveries' },
  { href: '/admin/events', label: 'Event inspector' },
  { href: '/admin/dead-letters', label: 'Dead letters' },
  { href: '/admin/simulation', label: 'Simulation' },
];

function NotFound() {
  return (
    <Page title="Not found">
      <p>
        There is no page at <code>{path.value}</code>.
      </p>
    </Page>
  );
}

function UserOnly() {
  return (
    <Page title="My notifications">
      <p>
        You are signed in with an admin token, which belongs to no user. Sign in with a user token to see your alerts, notifications and
        webhooks; as administrator use <Link href="/admin/system">System settings</Link>.
      </p>
    </Page>
  );
}

function Content() {
  const identity = me.value!;
  const current = path.value;
  const userId = identity.kind === 'user' ? identity.user.id : null;
  if (identity.kind === 'admin') {
    switch (current) {
      case '/':
      case '/admin/system':
        return <SystemSettingsPage />;
      case '/admin/template':
        return <TemplateSettingsPage />;
      case '/admin/products':
        return <ProductSettingsPage />;
      case '/admin/channels':
        return <ChannelsPage />;
      case '/admin/webhooks':
        return <WebhooksPage all />;
      case '/admin/directory':
        return <DirectoryPage />;
      case '/admin/deliveries':
        return <DeliveriesPage />;
      case '/admin/events':
        return <EventInspectorPage />;
      case '/admin/dead-letters':
        return <DeadLettersPage />;
      case '/admin/simulation':
        return <SimulationPage />;
      case '/settings':
      case '/webhooks':
        return <UserOnly />;
      case '/simulation':
        return <SimulationPage />;
      default:
        return <NotFound />;
    }
  }
  switch (current) {
    case '/':
      return <InboxPage userId={userId!} />;
    case '/settings':
      return <MyNotificationsPage userId={userId!} />;
    case '/webhooks':
      return <WebhooksPage all={false} />;
    case '/simulation':
      return <SimulationPage />;
    default:
      return current.startsWith('/admin/') ? (
        <Page title="Administrators only">
          <p>This page needs an admin token.</p>
        </Page>
      ) : (
        <NotFound />
      );
  }
}

function Shell() {
  const identity = me.value!;
  const userId = identity.kind === 'user' ? identity.user.id : null;
  useEffect(() => (userId === null ? undefined : startLiveAlerts(userId)), [userId]);
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [path.value]);
  const nav = identity.kind === 'admin' ? ADMIN_NAV : USER_NAV;
  const current = path.value === '/' && identity.kind === 'admin' ? '/admin/system' : path.value;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Herald</span>
        <nav aria-label="Console">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} current={current === item.href}>
                  {item.label}
                  {item.href === '/' && userId !== null ? (
                    <span class="count" aria-label={`${unread.value} unread`} data-testid="unread-badge">
                      {unread.value}
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>{identity.kind === 'admin' ? 'Administrator' : `${identity.user.full_name || identity.user.username}`}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Content />
      </main>
    </>
  );
}

function App() {
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    resume().then(
      () => setReady(true),
      (e: unknown) => {
        setError(describeError(e));
        setReady(true);
      },
    );
  }, []);
  if (!ready) return <p class="loading">Loading…</p>;
  if (me.value === null)
    return (
      <>
        {error !== null ? (
          <p class="note error" role="alert">
            {error}
          </p>
        ) : null}
        <SignIn />
      </>
    );
  return <Shell />;
}

render(<App />, document.getElementById('app')!);
