/**
 * Reports delivery statuses on `herald.status.<channel>`, several per message when they are ready
 * close together. Each report is a JetStream write, an acknowledgement and a delivery to the
 * gateway; at 100 deliveries a second those per-message costs were a fifth of the
 * machine's CPU per event (test/bench/README.md, "Thirteenth session").
 *
 * A status waits at most `lingerMs` for others, then every status waiting goes out in one message:
 * alone as SPEC §2.4 has it, or as a batch (`{ "statuses": [...] }`, `statusBatchSchema`). A batch
 * goes out early once `maxWaiting` statuses wait (a waiting status holds one of the plugin's
 * concurrent sends, so the default, half the plugin's concurrency, keeps the wait from capping its
 * throughput: measured, a 25 ms wait with all 16 sends held capped the webhooks plugin at ≈ 500/s),
 * at `MAX_STATUSES_PER_REPORT` statuses, or at `MAX_REPORT_BYTES` of JSON. `report()`
 * resolves once the message holding the status is stored (its PubAck), and rejects when that
 * publish fails: the caller's message is then not acknowledged and is redelivered, as before.
 * Waiting delays the acknowledgement of the channel message, never the send.
 */
import { createHash } from 'node:crypto';
import { MAX_STATUSES_PER_REPORT, statusMessageId, type DeliveryStatus } from '../delivery-status.js';

/** A batch closes once its JSON reaches this size (NATS's default payload limit is 1 MB). */
export const MAX_REPORT_BYTES = 256 * 1024;

/** `{"statuses":[` and `]}` around a batch's statuses. */
const BATCH_FRAME_BYTES = 15;

/** Default wait of a status for others to share its message, ms. */
export const DEFAULT_STATUS_LINGER_MS = 10;

/** Stores one status report: `payload` on the channel's status subject with `Nats-Msg-Id` = `msgId`. */
export type PublishReport = (payload: string, msgId: string) => Promise<unknown>;

interface Waiting {
  readonly json: string;
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class StatusReporter {
  private waiting: Waiting[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  private readonly lingerMs: number;
  private readonly maxWaiting: number;

  /** `lingerMs` 0 or `maxWaiting` 1: every status is published at once, alone. */
  constructor(
    private readonly publish: PublishReport,
    options: { readonly lingerMs?: number; readonly maxWaiting: number },
  ) {
    this.lingerMs = options.lingerMs ?? DEFAULT_STATUS_LINGER_MS;
    this.maxWaiting = Math.min(options.maxWaiting, MAX_STATUSES_PER_REPORT);
    if (!Number.isFinite(this.lingerMs) || this.lingerMs < 0) throw new RangeError(`lingerMs must be 0 or more, got ${this.lingerMs}`);
    if (!Number.isInteger(this.maxWaiting) || this.maxWaiting < 1)
      throw new RangeError(`maxWaiting must be a whole number of at least 1, got ${options.maxWaiting}`);
  }

  /** Resolves once `status` is stored in the status stream. */
  report(status: DeliveryStatus): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const json = JSON.stringify(status);
      const bytes = Buffer.byteLength(json) + 1; // and its comma in a batch
      if (this.waiting.length > 0 && this.bytes + bytes > MAX_REPORT_BYTES - BATCH_FRAME_BYTES) this.flush();
      this.waiting.push({ json, key: statusMessageId(status), resolve, reject });
      this.bytes += bytes;
      if (this.lingerMs === 0 || this.waiting.length >= this.maxWaiting) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Publishes every waiting status now (what the wait's timer, a full batch and a size bound call). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    this.bytes = 0;
    const [only] = batch;
    let sent: Promise<unknown>;
    try {
      sent =
        batch.length === 1 && only !== undefined
          ? this.publish(only.json, only.key)
          : this.publish(`{"statuses":[${batch.map((w) => w.json).join(',')}]}`, batchMessageId(batch));
    } catch (error) {
      // a publish that throws instead of rejecting fails its statuses, not the timer that flushed them
      sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    sent.then(
      () => {
        for (const w of batch) w.resolve();
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  }
}

/**
 * `batch:<sha256 of the statuses' keys>`: a batch published again (a retried publish) is the same
 * message and JetStream keeps one copy; a status in two different batches (its delivery redelivered)
 * is applied twice by the gateway, which is idempotent for a repeated status.
 */
function batchMessageId(batch: readonly Waiting[]): string {
  const hash = createHash('sha256');
  for (const w of batch) hash.update(w.key).update('\n');
  return `batch:${hash.digest('base64url')}`;
}
