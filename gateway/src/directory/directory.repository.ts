/**
 * Storage of the directory. Every write is one `insert … on conflict … do update` statement, so
 * replaying a directory event is harmless. Deletes cascade through the foreign keys (a user's
 * settings, memberships and tokens; a product's settings rows, members and engagements).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { queryRows, sql, toIso } from '../persistence/sql.js';
import type { EngagementInput, MembershipInput, ProductInput, ProductTypeInput, UserInput } from './directory-input.js';
import type { EngagementView, MembershipView, ProductTypeView, ProductView, Upserted, UserView } from './directory-views.js';
import type { EngagementStatus } from './engagement.entity.js';

type Timestamped<T> = Omit<T, 'created_at' | 'updated_at'> & { created_at: unknown; updated_at: unknown };
type WithInserted<T> = T & { inserted: boolean };

function stamp<T extends { created_at: unknown; updated_at: unknown }>(
  row: T,
): Omit<T, 'created_at' | 'updated_at'> & {
  created_at: string;
  updated_at: string;
} {
  return { ...row, created_at: toIso(row.created_at), updated_at: toIso(row.updated_at) };
}

function upserted<T extends { created_at: unknown; updated_at: unknown }, V>(rows: Array<WithInserted<T>>): Upserted<V> {
  const { inserted, ...row } = rows[0] as WithInserted<T>;
  return { record: stamp(row as unknown as T) as unknown as V, created: inserted };
}

/** Which membership table: product members or product-type members. */
export type MembershipKind = 'product' | 'product_type';

@Injectable()
export class DirectoryRepository {
  constructor(private readonly em: EntityManager) {}

  async upsertUser(id: string, input: UserInput, tx?: EntityManager): Promise<Upserted<UserView>> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<WithInserted<Timestamped<UserView>>>`insert into gateway.users
          (id, username, email, full_name, active, superuser, global_role, slack_email)
        values (${id}, ${input.username}, ${input.email}, ${input.full_name}, ${input.active}, ${input.superuser},
          ${input.global_role ?? null}, ${input.slack_email ?? null})
        on conflict (id) do update set username = excluded.username, email = excluded.email, full_name = excluded.full_name,
          active = excluded.active, superuser = excluded.superuser, global_role = excluded.global_role,
          slack_email = excluded.slack_email, updated_at = now()
        returning id, username, email, full_name, active, superuser, global_role, slack_email, created_at, updated_at,
          (xmax = 0) as inserted`,
    );
    return upserted(rows);
  }

  /** The id of the user holding `username`, if any. */
  async userIdByUsername(username: string, tx?: EntityManager): Promise<string | null> {
    const rows = await queryRows(tx ?? this.em.fork(), sql<{ id: string }>`select id from gateway.users where username = ${username}`);
    return rows[0]?.id ?? null;
  }

  async getUser(id: string, tx?: EntityManager): Promise<UserView | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<UserView>>`select id, username, email, full_name, active, superuser, global_role, slack_email, created_at, updated_at
        from gateway.users where id = ${id}`,
    );
    return rows[0] ? stamp(rows[0]) : null;
  }

  /** Every user, ordered by id (the console's directory; lists are paginated by the caller). */
  async listUsers(tx?: EntityManager): Promise<UserView[]> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<UserView>>`select id, username, email, full_name, active, superuser, global_role, slack_email, created_at, updated_at
        from gateway.users order by id`,
    );
    return rows.map((row) => stamp(row));
  }

  /** Every product type, ordered by id. */
  async listProductTypes(tx?: EntityManager): Promise<ProductTypeView[]> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<ProductTypeView>>`select id, name, created_at, updated_at from gateway.product_types order by id`,
    );
    return rows.map((row) => stamp(row));
  }

  /** Every product, ordered by id. */
  async listProducts(tx?: EntityManager): Promise<ProductView[]> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<ProductView>>`select id, name, product_type_id, created_at, updated_at from gateway.products order by id`,
    );
    return rows.map((row) => stamp(row));
  }

  async deleteUser(id: string, tx?: EntityManager): Promise<boolean> {
    return (await queryRows(tx ?? this.em.fork(), sql`delete from gateway.users where id = ${id} returning id`)).length > 0;
  }

  async upsertProductType(id: string, input: ProductTypeInput, tx?: EntityManager): Promise<Upserted<ProductTypeView>> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<WithInserted<Timestamped<ProductTypeView>>>`insert into gateway.product_types (id, name) values (${id}, ${input.name})
        on conflict (id) do update set name = excluded.name, updated_at = now()
        returning id, name, created_at, updated_at, (xmax = 0) as inserted`,
    );
    return upserted(rows);
  }

  async getProductType(id: string, tx?: EntityManager): Promise<ProductTypeView | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<ProductTypeView>>`select id, name, created_at, updated_at from gateway.product_types where id = ${id}`,
    );
    return rows[0] ? stamp(rows[0]) : null;
  }

  async deleteProductType(id: string, tx?: EntityManager): Promise<boolean> {
    return (await queryRows(tx ?? this.em.fork(), sql`delete from gateway.product_types where id = ${id} returning id`)).length > 0;
  }

  async upsertProduct(id: string, input: ProductInput, tx?: EntityManager): Promise<Upserted<ProductView>> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<WithInserted<Timestamped<ProductView>>>`insert into gateway.products (id, name, product_type_id)
        values (${id}, ${input.name}, ${input.product_type_id})
        on conflict (id) do update set name = excluded.name, product_type_id = excluded.product_type_id, updated_at = now()
        returning id, name, product_type_id, created_at, updated_at, (xmax = 0) as inserted`,
    );
    return upserted(rows);
  }

  async getProduct(id: string, tx?: EntityManager): Promise<ProductView | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<ProductView>>`select id, name, product_type_id, created_at, updated_at from gateway.products where id = ${id}`,
    );
    return rows[0] ? stamp(rows[0]) : null;
  }

  async deleteProduct(id: string, tx?: EntityManager): Promise<boolean> {
    return (await queryRows(tx ?? this.em.fork(), sql`delete from gateway.products where id = ${id} returning id`)).length > 0;
  }

  /** Adds or updates a membership; `null` when the scope or the user does not exist. */
  async putMember(
    kind: MembershipKind,
    scopeId: string,
    userId: string,
    input: MembershipInput,
    tx?: EntityManager,
  ): Promise<MembershipView | null> {
    const em = tx ?? this.em.fork();
    const role = input.role ?? null;
    const rows =
      kind === 'product'
        ? await queryRows(
            em,
            sql<MembershipView>`insert into gateway.product_members (scope_id, user_id, role)
              select s.id, u.id, ${role} from gateway.products s cross join gateway.users u where s.id = ${scopeId} and u.id = ${userId}
              on conflict (scope_id, user_id) do update set role = excluded.role
              returning scope_id, user_id, role`,
          )
        : await queryRows(
            em,
            sql<MembershipView>`insert into gateway.product_type_members (scope_id, user_id, role)
              select s.id, u.id, ${role} from gateway.product_types s cross join gateway.users u where s.id = ${scopeId} and u.id = ${userId}
              on conflict (scope_id, user_id) do update set role = excluded.role
              returning scope_id, user_id, role`,
          );
    return rows[0] ?? null;
  }

  async removeMember(kind: MembershipKind, scopeId: string, userId: string, tx?: EntityManager): Promise<boolean> {
    const em = tx ?? this.em.fork();
    const rows =
      kind === 'product'
        ? await queryRows(
            em,
            sql`delete from gateway.product_members where scope_id = ${scopeId} and user_id = ${userId} returning user_id`,
          )
        : await queryRows(
            em,
            sql`delete from gateway.product_type_members where scope_id = ${scopeId} and user_id = ${userId} returning user_id`,
          );
    return rows.length > 0;
  }

  async listMembers(kind: MembershipKind, scopeId: string, tx?: EntityManager): Promise<MembershipView[]> {
    const em = tx ?? this.em.fork();
    return kind === 'product'
      ? queryRows(
          em,
          sql<MembershipView>`select scope_id, user_id, role from gateway.product_members where scope_id = ${scopeId} order by user_id`,
        )
      : queryRows(
          em,
          sql<MembershipView>`select scope_id, user_id, role from gateway.product_type_members where scope_id = ${scopeId} order by user_id`,
        );
  }

  async upsertEngagement(id: string, input: EngagementInput, tx?: EntityManager): Promise<Upserted<EngagementView>> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<
        WithInserted<Timestamped<EngagementView>>
      >`insert into gateway.engagements (id, name, product_id, lead, target_start, target_end, status)
        values (${id}, ${input.name}, ${input.product_id}, ${input.lead ?? null}, ${input.target_start}::date, ${input.target_end}::date, ${input.status})
        on conflict (id) do update set name = excluded.name, product_id = excluded.product_id, lead = excluded.lead,
          target_start = excluded.target_start, target_end = excluded.target_end, status = excluded.status, updated_at = now()
        returning id, name, product_id, lead, to_char(target_start, 'YYYY-MM-DD') as target_start,
          to_char(target_end, 'YYYY-MM-DD') as target_end, status, created_at, updated_at, (xmax = 0) as inserted`,
    );
    return upserted(rows);
  }

  async getEngagement(id: string, tx?: EntityManager): Promise<EngagementView | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<Timestamped<EngagementView> & { status: EngagementStatus }>`select id, name, product_id, lead,
          to_char(target_start, 'YYYY-MM-DD') as target_start, to_char(target_end, 'YYYY-MM-DD') as target_end,
          status, created_at, updated_at
        from gateway.engagements where id = ${id}`,
    );
    return rows[0] ? stamp(rows[0]) : null;
  }

  async deleteEngagement(id: string, tx?: EntityManager): Promise<boolean> {
    return (await queryRows(tx ?? this.em.fork(), sql`delete from gateway.engagements where id = ${id} returning id`)).length > 0;
  }
}
