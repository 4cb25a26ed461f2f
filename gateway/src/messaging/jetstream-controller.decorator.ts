/**
 * `@JetStreamController()`: a Nest controller whose `@EventPattern(durable)` handlers are served by
 * `JetStreamTransport`. A thrown error reaches the transport unchanged (Nest's default RPC filter
 * would log it and replace it with "Internal server error"), so the consumer runner retries it
 * with backoff and names the real cause in its log and, on the last delivery, in the dead letter.
 */
import { applyDecorators, Catch, Controller, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

@Catch()
class PassErrorToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

export function JetStreamController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(new PassErrorToTransport()));
}
