import type { LeaseMember, LeaseRooms } from '../presence/presence-lease.js';
import { nickKey } from '../presence/nick-key.js';
import type { NickClaim } from '../store/chat-store.js';
import type { ChatSession } from './chat-session.js';

/** The sessions of this instance, by the rooms they joined. */
export class MemberRegistry {
  private readonly rooms = new Map<string, Set<ChatSession>>();

  /** Adds a session; true when it is the room's first on this instance. */
  add(room: string, session: ChatSession): boolean {
    const members = this.rooms.get(room);
    if (members) {
      members.add(session);
      return false;
    }

    this.rooms.set(room, new Set([session]));
    return true;
  }

  /** Removes a session; true when the room has none left here. */
  remove(room: string, session: ChatSession): boolean {
    const members = this.rooms.get(room);
    if (!members?.delete(session)) {
      return false;
    }

    if (members.size > 0) {
      return false;
    }

    this.rooms.delete(room);
    return true;
  }

  sessions(room: string): ReadonlySet<ChatSession> {
    return this.rooms.get(room) ?? new Set();
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  roomNames(): string[] {
    return [...this.rooms.keys()];
  }

  /** Every session of this instance. */
  allSessions(): Set<ChatSession> {
    const all = new Set<ChatSession>();
    for (const members of this.rooms.values()) {
      for (const session of members) {
        all.add(session);
      }
    }

    return all;
  }

  /** Whether another session of the same holder is in the room here. */
  heldElsewhere(room: string, session: ChatSession): boolean {
    for (const other of this.sessions(room)) {
      if (other !== session && other.holder === session.holder) {
        return true;
      }
    }

    return false;
  }

  /** The nick claims of every member here, once per holder and room. */
  claims(): NickClaim[] {
    const claims = new Map<string, NickClaim>();
    for (const [room, members] of this.rooms) {
      for (const session of members) {
        const nick = session.rooms.get(room)?.nick;
        if (nick !== undefined) {
          const claim = { room, key: nickKey(nick), holder: session.holder };
          claims.set(`${room}\u0000${claim.key}\u0000${claim.holder}`, claim);
        }
      }
    }

    return [...claims.values()];
  }

  /** The members of every room, as a presence lease lists them. */
  leaseRooms(): LeaseRooms {
    const rooms: LeaseRooms = new Map();
    for (const room of this.rooms.keys()) {
      rooms.set(room, this.leaseMembers(room));
    }

    return rooms;
  }

  /** The members of one room, as a presence lease lists them. */
  leaseMembers(room: string): LeaseMember[] {
    const members: LeaseMember[] = [];
    for (const session of this.sessions(room)) {
      const membership = session.rooms.get(room);
      if (membership) {
        members.push({ nick: membership.nick, holder: session.holder });
      }
    }

    return members;
  }
}
