/** One member of a room as a lease carries it. */
export interface LeaseMember {
  nick: string;
  /**
   * A hash of the session token that holds the nick. It lets a user who
   * reconnects elsewhere take the nick back while the old lease still lives,
   * and nobody else.
   */
  holder: string;
}

/**
 * What an instance publishes about its members: the whole list, renewed
 * every few seconds. A lease that is not renewed within its ttl expires, and
 * its members vanish from every list: that is how an instance that died
 * without saying goodbye is noticed.
 */
export interface PresenceLease {
  instance: string;
  /** How long the lease lives from its receipt, in milliseconds. */
  ttlMs: number;
  /**
   * Members by room, as pairs: a plain object keyed by room would make a
   * room named `constructor` or `__proto__` collide with the prototype.
   */
  rooms: [room: string, members: LeaseMember[]][];
  /** Sent by an instance that just started: others publish theirs now. */
  sync?: boolean;
  /** Sent by an instance that is stopping: drop its members at once. */
  final?: boolean;
}

/** Rooms of a lease, as the presence service keeps them. */
export type LeaseRooms = Map<string, LeaseMember[]>;
