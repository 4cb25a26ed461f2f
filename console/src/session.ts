/** Who is signed in: the token's identity from `GET /api/v1/me`. */
import { computed, signal } from '@preact/signals';
import { api, ApiError, storeToken, token } from './api.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly full_name: string;
  readonly active: boolean;
  readonly superuser: boolean;
  readonly global_role: string | null;
}

export type Me =
  | { readonly kind: 'admin'; readonly system_level_trump: string[] }
  | { readonly kind: 'user'; readonly user: User; readonly system_level_trump: string[] };

export const me = signal<Me | null>(null);
export const isAdmin = computed(() => me.value?.kind === 'admin');
/** The signed-in user's id; `null` for an admin token. */
export const userId = computed(() => (me.value?.kind === 'user' ? me.value.user.id : null));

/** Checks a token with the API and keeps it for this browser session. */
export async function signIn(candidate: string): Promise<void> {
  const identity = await api<Me>('GET', '/me', undefined, candidate);
  storeToken(candidate);
  me.value = identity;
}

export function signOut(): void {
  storeToken(null);
  me.value = null;
}

/** On load: resume the session's token; a refused token signs out. */
export async function resume(): Promise<void> {
  const current = token.value;
  if (current === null) return;
  try {
    me.value = await api<Me>('GET', '/me', undefined, current);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) signOut();
    else throw error;
  }
}
