/**
 * Plugin HTTP APIs (alerts, webhook endpoints). A plugin exposes one Node/Connect-style request
 * handler; the SDK serves it under `/api/v1` on the plugin's own port, and the all-in-one process
 * mounts the same handler on the gateway's port. Authentication is the gateway's: a request's
 * bearer token is checked by asking the gateway over NATS (`<prefix>.internal.auth`). Only the
 * token's SHA-256 travels over NATS (the form the gateway stores tokens in), so a subscriber to
 * that subject learns nothing it could present to an HTTP API.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';

/** Who is calling: an admin token, or a token bound to one user. */
export type Identity = { readonly kind: 'admin' } | { readonly kind: 'user'; readonly userId: string };

/** Connect-style handler (an Express `Router` is one). Calls `next()` for paths it does not serve. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface PluginHttpContext<Config = unknown> {
  readonly logger: Logger;
  /** Resolves the `Authorization` header to an identity; `null` when missing, unknown or revoked. */
  authenticate(authorization: string | undefined): Promise<Identity | null>;
  /**
   * The channel's current configuration (it changes without a restart, so read it per request);
   * `null` while the channel has no valid configuration. A disabled channel still has one.
   * Always set by the SDK (`runPlugin`, `pluginHttpHandler`); optional so contexts built by hand in
   * tests need not fake it.
   */
  config?(): Config | null;
}

/** Request body of `<prefix>.internal.auth`: never the token itself. */
export interface AuthRequest {
  /** Lowercase hex SHA-256 of the token's UTF-8 text (`tokenDigest`). */
  readonly token_sha256: string;
}

/** Lowercase hex SHA-256 of a bearer token: what `<prefix>.internal.auth` carries and the gateway stores. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
/** Reply of `<prefix>.internal.auth`. */
export type AuthReply = { readonly kind: 'admin' } | { readonly kind: 'user'; readonly user_id: string } | { readonly kind: 'invalid' };

/** Asks the gateway who a bearer token belongs to (timeout 2 s; no gateway ⇒ error). */
export async function authenticateViaGateway(
  nc: NatsConnection,
  subject: string,
  authorization: string | undefined,
): Promise<Identity | null> {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) return null;
  const request: AuthRequest = { token_sha256: tokenDigest(match[1]) };
  const reply = await nc.request(subject, JSON.stringify(request), { timeout: 2_000 });
  const answer = reply.json<AuthReply>();
  switch (answer.kind) {
    case 'admin':
      return { kind: 'admin' };
    case 'user':
      return { kind: 'user', userId: answer.user_id };
    case 'invalid':
      return null;
  }
}
