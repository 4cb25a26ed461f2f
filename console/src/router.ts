/** Client-side routes on real paths (`/settings`, …): the gateway answers index.html for each. */
import { signal } from '@preact/signals';

export const path = signal(location.pathname);

export function navigate(to: string): void {
  if (to === location.pathname) return;
  history.pushState(null, '', to);
  path.value = to;
}

addEventListener('popstate', () => {
  path.value = location.pathname;
});
