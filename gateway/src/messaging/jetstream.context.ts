/** The Nest RPC context of a message served by `JetStreamTransport` (`@Ctx() context: JetStreamContext`). */
import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '@herald/contracts';

export class JetStreamContext extends BaseRpcContext<[ReceivedMessage]> {
  /** The message being handled (also the handler's `@Payload()`). */
  getMessage(): ReceivedMessage {
    return this.args[0];
  }
}
