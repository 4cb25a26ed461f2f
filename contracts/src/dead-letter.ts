/**
 * Dead letters (SPEC §2.1, §8): what Herald gave up on, with the reason, on `herald.dead.*`.
 * The original payload is kept verbatim (base64) so it can be inspected and replayed.
 */
import { z } from 'zod';

export const deadLetterSchema = z.object({
  /** `ingest` (invalid event), `route` (routing gave up), `deliver` (a plugin gave up). */
  stage: z.enum(['ingest', 'route', 'deliver']),
  /** Why, one sentence an operator can act on. */
  reason: z.string().min(1),
  /** Field-level problems, for validation failures. */
  issues: z.array(z.object({ path: z.string(), message: z.string(), expected: z.string().optional() })),
  /** Subject the original message was published to. */
  subject: z.string(),
  /** Stream and sequence of the original message. */
  stream: z.string(),
  stream_seq: z.number().int(),
  deliveries: z.number().int(),
  /** Original headers (first value of each). */
  headers: z.record(z.string(), z.string()),
  /** Original payload, base64. */
  payload_base64: z.string(),
  /** Event id, when it could be read. */
  event_id: z.string().optional(),
  at: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
