/**
 * The place for routing features other work adds to the API (issue 14): per-column filters, quiet
 * hours and digests in the settings matrix (SPEC §3.6), and the simulation page
 * (`POST /api/v1/events/simulate`). The console shows them only once the API serves them; until
 * then this file says so and shows nothing else — it never imitates them.
 */
import { Page } from '../components/common.js';

/** Shown under a settings matrix: filters, quiet hours and digests are not served by this API yet. */
export function RoutingExtensionsNote() {
  return (
    <aside class="note pending" aria-label="Filters, quiet hours and digests">
      Filters, quiet hours and digests are not offered by this server's API yet; they will appear here when it serves them.
    </aside>
  );
}

export function SimulationPage() {
  return (
    <Page title="Simulation">
      <p class="note pending">
        Simulation needs <code>POST /api/v1/events/simulate</code>, which this server does not serve yet. The console will offer it here
        once the endpoint exists.
      </p>
    </Page>
  );
}
