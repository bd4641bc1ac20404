import type { ChatMessage } from '$protocol';

/** One place a message passed, and how long the way there took. */
export interface PathHop {
  /** What happened there, e.g. "Stored in the store". */
  readonly label: string;
  /** The process or place, e.g. an instance name. */
  readonly node: string;
  /** Milliseconds since the previous hop; `null` when unknown. */
  readonly ms: number | null;
  /** Why the duration is missing or how to read it, if it needs saying. */
  readonly note?: string;
}

/**
 * What can be told about a message's way here. `history`: it came in a
 * history or a resumed page, which carry no trace. `filled`: it came live
 * but from the store, because the bus missed it, so it has no trace
 * either. `traced`: the hops, from the live frame's trace.
 */
export type MessagePath =
  | { readonly kind: 'history' }
  | { readonly kind: 'filled'; readonly receivedAt: number }
  | {
      readonly kind: 'traced';
      readonly hops: readonly PathHop[];
      /** From sending (own) or acceptance (others') to this tab. */
      readonly totalMs: number;
      readonly own: boolean;
    };

/** What the tab itself knows about the message. */
export interface TabTimes {
  /** When this tab sent it, if this tab is the sender. */
  readonly sentAt: number | undefined;
  /** When its live frame reached this tab, if it came live. */
  readonly receivedAt: number | undefined;
}

/**
 * The hops of a message: sender → balancer → accepting instance → store →
 * bus → delivering instance → this tab. Times from the tab and from the
 * servers come from different clocks, so the first and last hops are only
 * as true as those clocks agree.
 */
export function messagePath(message: ChatMessage, tab: TabTimes): MessagePath {
  const trace = message.trace;
  if (tab.receivedAt === undefined) return { kind: 'history' };
  if (trace === undefined)
    return { kind: 'filled', receivedAt: tab.receivedAt };

  const own = tab.sentAt !== undefined;
  const deliveredBy = trace.deliveredBy ?? 'the delivering instance';
  const arrivedAt = trace.arrivedAt ?? trace.publishedAt;
  const deliveredAt = trace.deliveredAt ?? arrivedAt;
  const sameInstance = deliveredBy === message.server;

  const hops: PathHop[] = [
    own
      ? { label: 'Sent by this tab', node: 'you', ms: 0 }
      : {
          label: `Sent by ${message.nick}`,
          node: 'their tab',
          ms: null,
          note: 'Another person’s tab: when they pressed Send is not known here.',
        },
    {
      label: 'Through the balancer, accepted',
      node: message.server,
      ms: own ? trace.acceptedAt - (tab.sentAt ?? 0) : null,
      note: own
        ? 'The balancer only copies bytes, so its share is inside this hop.'
        : 'Unknown: it starts at the other person’s tab.',
    },
    {
      label: `Stored under seq ${message.seq}`,
      node: 'store',
      ms: trace.storedAt - trace.acceptedAt,
    },
    {
      label: 'Published on the bus',
      node: 'bus',
      ms: trace.publishedAt - trace.storedAt,
    },
    {
      label: sameInstance ? 'Handed to itself' : 'Arrived from the bus',
      node: deliveredBy,
      ms: arrivedAt - trace.publishedAt,
      ...(sameInstance
        ? {
            note: 'The accepting instance delivers its own members without waiting for the bus.',
          }
        : {}),
    },
    {
      label: 'Put in seq order, written to this tab’s socket',
      node: deliveredBy,
      ms: deliveredAt - arrivedAt,
    },
    {
      label: 'Received by this tab',
      node: 'this tab',
      ms: tab.receivedAt - deliveredAt,
    },
  ];

  const start = own ? (tab.sentAt ?? trace.acceptedAt) : trace.acceptedAt;

  return { kind: 'traced', hops, totalMs: tab.receivedAt - start, own };
}
