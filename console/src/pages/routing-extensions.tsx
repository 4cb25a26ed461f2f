/**
 * The separate spot for quiet hours and digests (SPEC §3.6), which another change adds to the API.
 * Until this server serves them the console says so and shows nothing else — it never imitates
 * them. Filters live in the settings matrix (`components/matrix.tsx`), simulation in
 * `pages/simulation.tsx`.
 */

/** Shown under the personal and template matrices. */
export function QuietHoursDigestsNote() {
  return (
    <aside class="note pending" aria-label="Quiet hours and digests">
      Quiet hours and digests are not offered by this server's API yet; they will appear here when it serves them.
    </aside>
  );
}
