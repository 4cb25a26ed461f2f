/** A person Herald can notify (SPEC §4). Ids are chosen by the publishing system; usernames are unique. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().primary(),
    username: p.string().unique('users_username_unique'),
    email: p.string(),
    full_name: p.string(),
    active: p.boolean(),
    superuser: p.boolean(),
    global_role: p.string().nullable(),
    slack_email: p.string().nullable(),
    created_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type UserEntity = InferEntity<typeof UserEntity>;
