import type { Member } from '../protocol/index.js';
import type {
  LeaseMember,
  LeaseRooms,
  PresenceLease,
} from './presence-lease.js';
import { nickKey } from './nick-key.js';
import { presenceLeaseSchema } from './presence-lease.schema.js';

/** A person a nickname leads to: the holder behind it, and where it is. */
export interface NickHolder {
  holder: string;
  nick: string;
  /** The instances with a session of the holder in a room now. */
  servers: Set<string>;
}

/** What the presence service needs from the rest of the instance. */
export interface PresenceOptions {
  instance: string;
  intervalMs: number;
  ttlMs: number;
  /** The members of this instance, by room. */
  localRooms(): LeaseRooms;
  /** The members of one room on this instance. */
  localMembers(room: string): LeaseMember[];
  publish(lease: PresenceLease): void;
  /** Called with the rooms whose member list changed. */
  changed(rooms: string[]): void;
  /** A lease from the bus did not have the expected shape. */
  rejected(reason: string): void;
}

interface RemoteLease {
  rooms: LeaseRooms;
  expiresAt: number;
}

const NO_ROOMS: LeaseRooms = new Map();

/** Delay that gathers a burst of joins into one lease. */
const PUBLISH_DEBOUNCE_MS = 10;

/**
 * Shortest gap between two leases. A lease lists every member of the
 * instance, so during a storm of joins (thousands of users reconnecting)
 * a lease per join would cost each instance the square of the crowd.
 */
const PUBLISH_MIN_GAP_MS = 200;

/**
 * Who is in which room, on every instance. Each instance publishes a lease
 * of its own members on change and every `intervalMs`; the leases of the
 * others are kept until they expire. Member lists are the union of this
 * instance's members and the living leases.
 */
export class PresenceService {
  private readonly remote = new Map<string, RemoteLease>();
  private publishTimer: NodeJS.Timeout | undefined;
  private publishedAt = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PresenceOptions) {}

  start(): void {
    this.publish({ sync: true });
    this.renewTimer = setInterval(
      () => this.publish(),
      this.options.intervalMs,
    );
    this.expiryTimer = setInterval(
      () => this.expire(),
      Math.min(1000, this.options.ttlMs / 3),
    );
  }

  /** Publishes an empty, final lease so that others drop us at once. */
  stop(): void {
    clearTimeout(this.publishTimer);
    clearInterval(this.renewTimer);
    clearInterval(this.expiryTimer);

    this.options.publish({
      instance: this.options.instance,
      ttlMs: 0,
      rooms: [],
      final: true,
    });
  }

  /** This instance's members of a room changed. */
  localChanged(room: string): void {
    const wait = Math.max(
      PUBLISH_DEBOUNCE_MS,
      this.publishedAt + PUBLISH_MIN_GAP_MS - Date.now(),
    );
    this.publishTimer ??= setTimeout(() => {
      this.publishTimer = undefined;
      this.publish();
    }, wait);

    this.options.changed([room]);
  }

  /** The bus came back: tell the others who is here, at once. */
  resync(): void {
    this.publish({ sync: true });
  }

  receive(payload: unknown): void {
    const parsed = presenceLeaseSchema.safeParse(payload);
    if (!parsed.success) {
      this.options.rejected(parsed.error.message);
      return;
    }

    const lease = parsed.data;
    if (lease.instance === this.options.instance) {
      return;
    }

    if (lease.sync) {
      this.publish();
    }

    const before = this.remote.get(lease.instance)?.rooms ?? NO_ROOMS;
    const after = lease.final ? NO_ROOMS : new Map(lease.rooms);
    if (lease.final) {
      this.remote.delete(lease.instance);
    } else {
      this.remote.set(lease.instance, {
        rooms: after,
        expiresAt: Date.now() + lease.ttlMs,
      });
    }

    this.options.changed(changedRooms(before, after));
  }

  /** Every member of a room on every instance, sorted by nick. */
  members(room: string): Member[] {
    const members: Member[] = [];
    const seen = new Set<string>();
    const add = (nick: string, server: string) => {
      const key = `${nick}\u0000${server}`;
      if (!seen.has(key)) {
        seen.add(key);
        members.push({ nick, server });
      }
    };

    for (const member of this.options.localMembers(room)) {
      add(member.nick, this.options.instance);
    }
    for (const [instance, lease] of this.remote) {
      for (const member of lease.rooms.get(room) ?? []) {
        add(member.nick, instance);
      }
    }

    return members.sort(
      (a, b) =>
        a.nick.localeCompare(b.nick) || a.server.localeCompare(b.server),
    );
  }

  /** Whether another instance lists a session of `holder` in the room. */
  heldRemotely(room: string, holder: string): boolean {
    for (const lease of this.remote.values()) {
      if (lease.rooms.get(room)?.some((m) => m.holder === holder)) {
        return true;
      }
    }

    return false;
  }

  /**
   * The holders that use a nickname in some room, on any instance. A
   * nickname is only unique within a room, so there can be several.
   */
  holdersOfNick(nick: string): NickHolder[] {
    const key = nickKey(nick);
    const found = new Map<string, NickHolder>();
    for (const [server, rooms] of this.everyInstance()) {
      for (const members of rooms.values()) {
        for (const member of members) {
          if (nickKey(member.nick) !== key) {
            continue;
          }
          const known = found.get(member.holder) ?? {
            holder: member.holder,
            nick: member.nick,
            servers: new Set<string>(),
          };
          known.servers.add(server);
          found.set(member.holder, known);
        }
      }
    }

    return [...found.values()];
  }

  /** The instances where a holder has a session in some room now. */
  serversOf(holder: string): string[] {
    const servers: string[] = [];
    for (const [server, rooms] of this.everyInstance()) {
      const there = [...rooms.values()].some((members) =>
        members.some((member) => member.holder === holder),
      );
      if (there) {
        servers.push(server);
      }
    }

    return servers.sort();
  }

  /** The rooms of this instance and of every live remote lease. */
  private *everyInstance(): Generator<[string, LeaseRooms]> {
    yield [this.options.instance, this.options.localRooms()];
    for (const [instance, lease] of this.remote) {
      yield [instance, lease.rooms];
    }
  }

  private publish(extra: Partial<PresenceLease> = {}): void {
    this.publishedAt = Date.now();
    this.options.publish({
      instance: this.options.instance,
      ttlMs: this.options.ttlMs,
      rooms: [...this.options.localRooms()],
      ...extra,
    });
  }

  private expire(): void {
    const now = Date.now();
    for (const [instance, lease] of this.remote) {
      if (lease.expiresAt <= now) {
        this.remote.delete(instance);
        this.options.changed([...lease.rooms.keys()]);
      }
    }
  }
}

function changedRooms(before: LeaseRooms, after: LeaseRooms): string[] {
  const rooms = new Set([...before.keys(), ...after.keys()]);
  const fingerprint = (members: LeaseMember[] | undefined) =>
    (members ?? [])
      .map((member) => member.nick)
      .sort()
      .join('\u0000');

  return [...rooms].filter(
    (room) => fingerprint(before.get(room)) !== fingerprint(after.get(room)),
  );
}
