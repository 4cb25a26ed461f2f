/**
 * A real alternative routing port for tests: records each event it is given, optionally slowly.
 */
import type { HeraldEvent } from '@herald/contracts';
import type { RoutingPort } from '../../gateway/src/ingest/routing-port.js';

export class RecordingPort implements RoutingPort {
  readonly events: HeraldEvent[] = [];

  constructor(private readonly delayMs = 0) {}

  async route(event: HeraldEvent): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.events.push(event);
  }

  routed(source: string, id: string): Promise<boolean> {
    return Promise.resolve(this.events.some((e) => e.source === source && e.id === id));
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }
}
