/** Storage of API tokens by SHA-256 hash; the token text itself is never stored. */
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { queryRows, sql, toIso, toIsoOrNull } from '../persistence/sql.js';

/** A token as listed: never its hash. */
export interface ApiTokenView {
  readonly id: string;
  /** `null` for an admin token. */
  readonly user_id: string | null;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

interface TokenRow {
  id: string;
  user_id: string | null;
  created_at: unknown;
  last_used_at: unknown;
}

function toView(row: TokenRow): ApiTokenView {
  return { id: row.id, user_id: row.user_id, created_at: toIso(row.created_at), last_used_at: toIsoOrNull(row.last_used_at) };
}

/** `last_used_at` is refreshed at most this often, so a busy client does not write on every request. */
const LAST_USED_RESOLUTION = '1 minute';

@Injectable()
export class ApiTokenRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores a token; `null` when `userId` names no user. */
  async insert(id: string, tokenHash: string, userId: string | null): Promise<ApiTokenView | null> {
    const rows = await queryRows(
      this.em.fork(),
      userId === null
        ? sql<TokenRow>`insert into gateway.api_tokens (id, token_hash, user_id) values (${id}, ${tokenHash}, null)
            returning id, user_id, created_at, last_used_at`
        : sql<TokenRow>`insert into gateway.api_tokens (id, token_hash, user_id)
            select ${id}, ${tokenHash}, u.id from gateway.users u where u.id = ${userId}
            returning id, user_id, created_at, last_used_at`,
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The token with this hash, marking it used; `null` when none or when its user is inactive. */
  async useByHash(tokenHash: string): Promise<ApiTokenView | null> {
    const em = this.em.fork();
    const rows = await queryRows(
      em,
      sql<TokenRow>`select t.id, t.user_id, t.created_at, t.last_used_at from gateway.api_tokens t
        left join gateway.users u on u.id = t.user_id
        where t.token_hash = ${tokenHash} and (t.user_id is null or u.active)`,
    );
    const row = rows[0];
    if (!row) return null;
    await queryRows(
      em,
      sql`update gateway.api_tokens set last_used_at = now()
        where id = ${row.id} and (last_used_at is null or last_used_at < now() - ${LAST_USED_RESOLUTION}::interval)`,
    );
    return toView(row);
  }

  async list(): Promise<ApiTokenView[]> {
    const rows = await queryRows(
      this.em.fork(),
      sql<TokenRow>`select id, user_id, created_at, last_used_at from gateway.api_tokens order by created_at, id`,
    );
    return rows.map(toView);
  }

  async delete(id: string): Promise<boolean> {
    return (await queryRows(this.em.fork(), sql`delete from gateway.api_tokens where id = ${id} returning id`)).length > 0;
  }
}
