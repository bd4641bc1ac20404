import type { MessageMappingProperties } from '@nestjs/websockets';

/** A message handler that Nest has bound to one client. */
export type BoundHandler = (data: unknown, event: string) => unknown;

/**
 * Where each event's handler sits in a connection's list of handlers. Nest
 * binds a fresh copy of the gateway's handlers for every client, always in
 * the same order; kept as they come (a map, an object per handler) they
 * were the largest part of an idle connection's own memory. One index
 * serves every connection, and a connection keeps only its bound functions.
 */
export class HandlerIndex {
  private readonly positions = new Map<string, number>();

  /** One client's bound handlers, each at its event's position. */
  bind(handlers: readonly MessageMappingProperties[]): BoundHandler[] {
    const bound: BoundHandler[] = [];
    for (const { message, callback } of handlers) {
      bound[this.positionOf(String(message))] = callback as BoundHandler;
    }

    return bound;
  }

  /** The position of an event's handler; undefined for an unknown event. */
  find(event: string): number | undefined {
    return this.positions.get(event);
  }

  private positionOf(event: string): number {
    const known = this.positions.get(event);
    if (known !== undefined) {
      return known;
    }

    // A gateway with other events gets new positions: the lists of the
    // connections bound before keep theirs.
    const position = this.positions.size;
    this.positions.set(event, position);
    return position;
  }
}
