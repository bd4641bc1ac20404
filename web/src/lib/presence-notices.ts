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
 * What changed between two member lists of a room. A nick that is gone
 * from every server it was on and shows up on another one at the same
 * time moved: its connection was handed to another instance.
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
    } else if (![...old].some((server) => servers.has(server))) {
      notices.push({ kind: 'moved', nick, server: first });
    }
  }

  for (const nick of was.keys()) {
    if (nick !== self && !is.has(nick)) {
      notices.push({ kind: 'left', nick, server: '' });
    }
  }

  return notices;
}
