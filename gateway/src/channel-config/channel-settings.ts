/**
 * The built-in channels' configuration schemas (SPEC §2.5): which fields exist, which are secrets
 * (write-only, sealed at rest), and the value a field takes when a PUT leaves it out. Unknown
 * fields are refused. Third-party channels have no entry: their settings are stored as given.
 */
import { z } from 'zod';
import { isMailAddress, mailAddressSchema } from '@herald/contracts';

/** A secret in a PUT body: a string sets it, `null` clears it, the API's `{ configured }` view (or omission) keeps it. */
function secretInput<T extends z.ZodType<string>>(value: T) {
  return z.union([value, z.null(), z.strictObject({ configured: z.boolean() })]).optional();
}

const addressList = z.string().superRefine((value, ctx) => {
  value.split(',').forEach((entry, index) => {
    const address = entry.trim();
    if (address === '') return;
    if (!isMailAddress(address)) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1} "${address}" is not an email address`, input: value });
    }
  });
});

export interface ChannelSettingsSpec {
  /** Fields of `settings` in a PUT body. */
  readonly schema: z.ZodObject;
  /** Secret fields: sealed at rest, shown as `{ "configured": bool }`. */
  readonly secrets: readonly string[];
  /** Values of fields a PUT leaves out (secrets have none). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** `alert` can never be disabled. */
  readonly alwaysEnabled: boolean;
}

export const CHANNEL_SETTINGS: Readonly<Record<string, ChannelSettingsSpec>> = {
  alert: { schema: z.strictObject({}), secrets: [], defaults: {}, alwaysEnabled: true },
  mail: {
    schema: z.strictObject({
      /** Sender address. @default "herald@localhost" */
      from: mailAddressSchema.optional(),
      /** Used in the subject "<team name> notification: <title>". @default "Herald" */
      team_name: z.string().trim().min(1).max(100).optional(),
      /** Comma-separated system recipients; each address is validated. @default "" */
      mail_notifications_to: addressList.optional(),
    }),
    secrets: [],
    defaults: { from: 'herald@localhost', team_name: 'Herald', mail_notifications_to: '' },
    alwaysEnabled: false,
  },
  slack: {
    schema: z.strictObject({
      /** Bot token (`xoxb-…`). Secret. */
      token: secretInput(z.string().trim().min(1)),
      /** System channel name or id, e.g. `#security`. @default "" */
      channel: z.string().trim().max(100).optional(),
      /** Display name of the bot's messages. @default "Herald" */
      username: z.string().trim().min(1).max(80).optional(),
    }),
    secrets: ['token'],
    defaults: { channel: '', username: 'Herald' },
    alwaysEnabled: false,
  },
  msteams: {
    schema: z.strictObject({
      /** Workflows (or legacy connector) webhook URL. Secret: it is a bearer credential. */
      url: secretInput(z.url({ protocol: /^https?$/ })),
      /** `adaptive` (Workflows) or `legacy` (MessageCard for old connectors). @default "adaptive" */
      format: z.enum(['adaptive', 'legacy']).optional(),
    }),
    secrets: ['url'],
    defaults: { format: 'adaptive' },
    alwaysEnabled: false,
  },
  webhooks: {
    schema: z.strictObject({
      /** Per-request timeout in seconds. @default 10 */
      timeout_seconds: z.number().int().min(1).max(300).optional(),
    }),
    secrets: [],
    defaults: { timeout_seconds: 10 },
    alwaysEnabled: false,
  },
};
