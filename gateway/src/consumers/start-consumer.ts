/** Builds and starts a runner on one of the gateway's durables (shared by the gateway consumers). */
import { ConsumerRunner, type ConsumerDefinition, type HandlerOutcome, type Logger, type ReceivedMessage } from '@herald/contracts';
import type { MessagingService } from '../messaging/messaging.service.js';

export async function startConsumer(
  messaging: MessagingService,
  consumer: ConsumerDefinition,
  handle: (message: ReceivedMessage) => Promise<HandlerOutcome>,
  logger: Logger,
  concurrency = 8,
): Promise<ConsumerRunner> {
  const runner = new ConsumerRunner({
    js: messaging.js,
    consumer,
    concurrency,
    handle,
    deadLetter: { stage: 'ingest', subject: () => messaging.topology.subjects.dead('ingest', consumer.durable) },
    logger: logger.child({ consumer: consumer.durable }),
  });
  await runner.start();
  return runner;
}

/** Parses a JSON payload; `undefined` when it is not JSON. */
export function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
}
