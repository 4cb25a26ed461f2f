/**
 * The mail channel's settings (SPEC §2.5), as the gateway distributes them through
 * `herald_channel_config`: `{ from, team_name, mail_notifications_to }`. The SMTP transport is not
 * a setting: it comes from `SMTP_URL` (or the `.eml` outbox when unset).
 */
import { mailAddressListSchema, mailAddressSchema, z } from '@herald/contracts';

export const mailConfigSchema = z.object({
  /** Sender address. @default "herald@localhost" */
  from: mailAddressSchema.default('herald@localhost'),
  /** Used in the subject "<team name> notification: <title>". @default "Herald" */
  team_name: z.string().trim().min(1).max(100).meta({ description: 'the team name, 1 to 100 characters' }).default('Herald'),
  /** Comma-separated system recipients; every address gets system-scope mail once. @default "" */
  mail_notifications_to: mailAddressListSchema.default(''),
});

export type MailConfig = z.output<typeof mailConfigSchema>;

/** `"a@x.org, B@x.org,a@x.org"` → `["a@x.org", "B@x.org"]`: trimmed, empties dropped, each address once (case-insensitive). */
export function systemRecipients(config: MailConfig): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of config.mail_notifications_to.split(',')) {
    const address = entry.trim();
    const key = address.toLowerCase();
    if (address === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}
