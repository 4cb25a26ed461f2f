/**
 * The msteams channel's settings (SPEC §2.5), as distributed by the gateway with the secret `url`
 * decrypted: `{ url, format }`.
 */
import { z } from '@herald/contracts';

export const msteamsConfigSchema = z.object({
  /** Workflows (or legacy connector) webhook URL. Secret: whoever has it can post. Unset ⇒ messages dropped. */
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .regex(/^https?:\/\//i, { error: 'must be an http(s) URL' })
    .meta({ description: 'the Workflows (or legacy connector) webhook URL, https://…' })
    .optional(),
  /** `adaptive`: Adaptive Card 1.4 in a message envelope (Workflows); `legacy`: MessageCard (old connectors). @default "adaptive" */
  format: z.enum(['adaptive', 'legacy']).default('adaptive'),
});

export type MsteamsConfig = z.output<typeof msteamsConfigSchema>;

export const MSTEAMS_SECRET_FIELDS = ['url'] as const;
