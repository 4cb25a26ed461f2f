/**
 * Called after every change that affects routing (settings, directory, channel configuration,
 * event types): drops the cached snapshot on every gateway replica before the change returns.
 */
import { Inject, Injectable } from '@nestjs/common';
import { INVALIDATION_BUS } from './snapshot.tokens.js';
import type { InvalidationBus } from './invalidation-bus.js';

@Injectable()
export class ChangeNotifier {
  constructor(@Inject(INVALIDATION_BUS) private readonly bus: InvalidationBus) {}

  async changed(what: string): Promise<void> {
    await this.bus.broadcast(what);
  }
}
