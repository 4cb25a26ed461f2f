/**
 * The slack channel's settings (SPEC §2.5), as distributed by the gateway with the secret `token`
 * decrypted: `{ token, channel, username }`. The API base URL is not a setting: it comes from
 * `SLACK_API_URL` (tests point it at a local Slack-compatible server).
 */
import { z } from 'zod';

export const slackConfigSchema = z.object({
  /** Bot token (`xoxb-…`). Secret. Unset ⇒ every message is dropped with "no Slack token configured". */
  token: z.string().trim().min(1).optional(),
  /** System channel name or id, e.g. `#security` or `C0123456789`. @default "" (system messages dropped) */
  channel: z.string().trim().max(100).default(''),
  /** Display name of the bot's messages (needs `chat:write.customize`). @default "Herald" */
  username: z.string().trim().min(1).max(80).default('Herald'),
});

export type SlackConfig = z.output<typeof slackConfigSchema>;

export const SLACK_SECRET_FIELDS = ['token'] as const;
