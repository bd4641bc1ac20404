import type { Member } from '$protocol';

/** A change of a room's members, shown in its timeline between messages. */
export interface PresenceNotice {
  readonly kind: 'joined' | 'left' | 'moved';
  readonly nick: string;
  /** Where the member joined from or moved to; empty for `left`. */
  readonly server: string;
}

function serversByNick(members: readonly Member[]): Map<string, Set<string>> {
  const byNick = new Map<string, Set<string>>();
  for (const member of members) {
    const servers = byNick.get(member.nick) ?? new Set<string>();
    servers.add(member.server);
    byNick.set(member.nick, servers);
  }

  return byNick;
}

/**
 * What changed between two member lists of a room. A nick that shows up
 * on a server it was not on while it is still listed moved: its tab
 * reconnected to another instance, and the old instance's lease has not
 * run out yet.
 */
export function presenceNotices(
  before: readonly Member[],
  after: readonly Member[],
  self: string | null,
): PresenceNotice[] {
  const was = serversByNick(before);
  const is = serversByNick(after);
  const notices: PresenceNotice[] = [];

  for (const [nick, servers] of is) {
    if (nick === self) continue;

    const old = was.get(nick);
    const first = [...servers][0] ?? '';
    if (old === undefined) {
      notices.push({ kind: 'joined', nick, server: first });
    } else {
      const arrived = [...servers].find((server) => !old.has(server));
      if (arrived !== undefined) {
        notices.push({ kind: 'moved', nick, server: arrived });
      }
    }
  }

  for (const nick of was.keys()) {
    if (nick !== self && !is.has(nick)) {
      notices.push({ kind: 'left', nick, server: '' });
    }
  }

  return notices;
}
