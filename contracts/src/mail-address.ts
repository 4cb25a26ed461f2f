/**
 * Mail addresses as Herald accepts them: `local@domain`, where the domain may be a single label
 * (`herald@localhost` is a fine sender for a local outbox). Stricter checks belong to the SMTP
 * server, which says so in its reply.
 */
import { z } from 'zod';

const PART = String.raw`[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+`;
const ADDRESS = new RegExp(`^${PART}$`);
/** Comma-separated addresses; empty entries (a trailing comma) and surrounding spaces are fine. */
const ADDRESS_LIST = new RegExp(String.raw`^\s*(${PART})?\s*(,\s*(${PART})?\s*)*$`);

export const mailAddressSchema = z
  .string()
  .trim()
  .regex(ADDRESS, { error: 'must be an email address like name@example.com' })
  .meta({ description: 'an email address like name@example.com' });

/**
 * A comma-separated list of addresses (`"a@x.org, b@y.org"`), each checked; the issue names the bad
 * entry. The pattern travels in the JSON Schema, so the gateway refuses what the plugin would.
 */
export const mailAddressListSchema = z
  .string()
  .regex(ADDRESS_LIST, { error: 'must be comma-separated email addresses like a@example.com, b@example.com' })
  .superRefine((value, ctx) => {
    value.split(',').forEach((entry, index) => {
      const address = entry.trim();
      if (address !== '' && !ADDRESS.test(address)) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} "${address}" is not an email address`, input: value });
      }
    });
  })
  .meta({ description: 'comma-separated email addresses like a@example.com, b@example.com' });

export function isMailAddress(value: string): boolean {
  return ADDRESS.test(value.trim());
}
