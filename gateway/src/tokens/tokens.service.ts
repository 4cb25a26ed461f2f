/**
 * API tokens (SPEC §7): admin tokens and user tokens (bound to one user, deleted with them).
 * A token is `hrld_` + 32 random bytes base64url, shown once at creation; only its SHA-256 is
 * stored, so a database leak reveals no usable token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { tokenDigest } from '@herald/contracts';
import { ApiTokenRepository, type ApiTokenView } from './api-token.repository.js';

/** Prefix of every Herald token (recognisable in secret scanners and logs). */
export const TOKEN_PREFIX = 'hrld_';

/** Who a verified token speaks for. */
export type TokenIdentity =
  { readonly kind: 'admin'; readonly tokenId: string } | { readonly kind: 'user'; readonly userId: string; readonly tokenId: string };

/** `POST /tokens` answer: the only time the token text is available. */
export interface CreatedToken extends ApiTokenView {
  readonly token: string;
}

const DIGEST = /^[0-9a-f]{64}$/;

@Injectable()
export class TokensService {
  constructor(private readonly repository: ApiTokenRepository) {}

  /** Creates an admin token (`userId` null/absent) or a user token; `null` when the user does not exist. */
  async create(userId: string | null = null): Promise<CreatedToken | null> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const stored = await this.repository.insert(`tok_${randomUUID()}`, tokenDigest(token), userId);
    return stored ? { ...stored, token } : null;
  }

  /**
   * The identity of a presented token, or `null` when it is unknown, malformed, or belongs to an
   * inactive user (a deleted user's tokens are deleted with them).
   */
  async verify(token: string): Promise<TokenIdentity | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    return this.verifyDigest(tokenDigest(token));
  }

  /** As `verify`, from the token's hex SHA-256 (what plugins send over NATS). */
  async verifyDigest(digest: string): Promise<TokenIdentity | null> {
    if (!DIGEST.test(digest)) return null;
    const stored = await this.repository.useByHash(digest);
    if (!stored) return null;
    return stored.user_id === null ? { kind: 'admin', tokenId: stored.id } : { kind: 'user', userId: stored.user_id, tokenId: stored.id };
  }

  /** Every token, without hashes. */
  list(): Promise<ApiTokenView[]> {
    return this.repository.list();
  }

  /** Revokes a token; `false` when unknown. */
  delete(id: string): Promise<boolean> {
    return this.repository.delete(id);
  }
}
