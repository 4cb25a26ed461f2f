/**
 * Mail addresses as Herald accepts them: `local@domain`, where the domain may be a single label
 * (`herald@localhost` is a fine sender for a local outbox). Stricter checks belong to the SMTP
 * server, which says so in its reply.
 */
import { z } from 'zod';

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;

export const mailAddressSchema = z.string().trim().regex(ADDRESS, { error: 'must be an email address like name@example.com' });

export function isMailAddress(value: string): boolean {
  return ADDRESS.test(value.trim());
}
