import { createHash } from 'node:crypto';

import type { ChatBus } from '../bus/chat-bus.js';
import type { DirectSignal } from '../bus/direct-signal.js';
import type { PresenceService } from '../presence/presence.service.js';
import {
  ErrorCode,
  Limits,
  ServerEvent,
  type DirectMessage,
} from '../protocol/index.js';
import {
  CONVERSATION_PREFIX,
  DuplicateIdError,
  type ChatStore,
  type Conversation,
} from '../store/chat-store.js';
import { ChatError } from './chat-error.js';
import type { ChatSession } from './chat-session.js';
import type { DmRequest, DmResumeRequest } from './client-frame.schemas.js';

/** What the messenger needs from the instance it works for. */
export interface DirectMessengerOptions {
  instance: string;
  store: ChatStore;
  bus: ChatBus;
  presence: PresenceService;
  /** Every open session of this instance. */
  sessions(): Iterable<ChatSession>;
  /** Logs a store or bus failure and makes the client's error of it. */
  unavailable(err: unknown, ref: string): ChatError;
}

/** Conversations the `conversations` answer lists at most. */
const CONVERSATIONS_LISTED = 100;

/** Direct messages remembered as delivered, against a bus repeating one. */
const REMEMBERED_DELIVERIES = 10_000;

/**
 * The id of the conversation between two holders: the same whichever of
 * them writes first, and telling nothing about them.
 */
export function conversationId(a: string, b: string): string {
  const pair = [a, b].sort().join('\u0000');
  const digest = createHash('sha256').update(pair).digest('base64url');

  return `${CONVERSATION_PREFIX}${digest.slice(0, 32)}`;
}

/**
 * Direct messages between two people. A conversation belongs to the two
 * session holders (hashes of session tokens), not to nicknames: a nickname
 * given up can be taken by somebody else, who must not read what was
 * written to its earlier user. The recipient is found by nickname in the
 * live presence of every instance, then known by holder from then on.
 */
export class DirectMessenger {
  private readonly delivered = new Set<string>();

  constructor(private readonly options: DirectMessengerOptions) {}

  /** Stores a direct message, acks it and hands it to both people. */
  async send(session: ChatSession, request: DmRequest): Promise<void> {
    const { store, bus, instance } = this.options;
    const nick = this.nickOf(session, request.id);
    const peer = this.resolve(session, request.to, request.id);
    const conversation = this.conversationOf(session, nick, peer);

    let stored;
    try {
      await store.openConversation(conversation);
      stored = await store.append({
        room: conversation.conversation,
        id: request.id,
        nick,
        text: request.text,
        server: instance,
      });
    } catch (err) {
      if (err instanceof DuplicateIdError) {
        throw new ChatError(
          ErrorCode.DuplicateId,
          'That message id is already used in this conversation',
          request.id,
        );
      }
      throw this.options.unavailable(err, request.id);
    }

    const { message, duplicate } = stored;
    session.send({
      event: ServerEvent.Ack,
      data: {
        id: message.id,
        seq: message.seq,
        conversation: conversation.conversation,
      },
    });
    if (duplicate) {
      return;
    }

    const direct: DirectMessage = {
      conversation: conversation.conversation,
      seq: message.seq,
      id: message.id,
      nick: message.nick,
      text: message.text,
      at: message.at,
      server: message.server,
      to: peer.nick,
    };
    const signal = { message: direct, holders: conversation.holders };
    this.deliver(signal);
    bus.publishDirect(signal);
  }

  /** Pages of a conversation, for one of its two people only. */
  async resume(session: ChatSession, request: DmResumeRequest): Promise<void> {
    const { store } = this.options;
    const id = request.conversation;

    let conversation: Conversation | null;
    let messages;
    try {
      conversation = await store.conversation(id);
      messages = conversation?.holders.includes(session.holder)
        ? await store.after(id, request.after, Limits.resumePage)
        : null;
    } catch (err) {
      throw this.options.unavailable(err, id);
    }

    // An unknown id and somebody else's conversation look the same, so
    // that ids cannot be probed.
    if (messages === null) {
      throw new ChatError(
        ErrorCode.Forbidden,
        'That conversation is not yours',
        id,
      );
    }

    session.send({
      event: ServerEvent.DmHistory,
      data: {
        conversation: id,
        messages: messages.map(({ room, ...rest }) => ({
          ...rest,
          conversation: room,
        })),
      },
    });
  }

  /** The session's conversations, with where the other person is now. */
  async list(session: ChatSession): Promise<void> {
    let stored;
    try {
      stored = await this.options.store.conversations(
        session.holder,
        CONVERSATIONS_LISTED,
      );
    } catch (err) {
      throw this.options.unavailable(err, 'conversations');
    }

    const conversations = stored.map((conversation) => {
      const other = conversation.holders[0] === session.holder ? 1 : 0;
      const holder = conversation.holders[other];
      const servers = this.options.presence.serversOf(holder);

      return {
        conversation: conversation.conversation,
        peer: conversation.nicks[other],
        server: servers[0] ?? null,
        last: conversation.lastSeq,
        lastAt: conversation.lastAt,
      };
    });
    session.send({ event: ServerEvent.Conversations, data: { conversations } });
  }

  /** A direct message from the bus; our own were delivered already. */
  received(signal: DirectSignal): void {
    if (signal.message.server === this.options.instance) {
      return;
    }

    this.deliver(signal);
  }

  /** Sends it to this instance's sessions of either person, once each. */
  private deliver(signal: DirectSignal): void {
    const { conversation, seq } = signal.message;
    const key = `${conversation}\u0000${seq}`;
    if (this.delivered.has(key)) {
      return;
    }

    if (this.delivered.size >= REMEMBERED_DELIVERIES) {
      this.delivered.clear();
    }
    this.delivered.add(key);

    const frame = JSON.stringify({
      event: ServerEvent.Dm,
      data: signal.message,
    });
    for (const session of this.options.sessions()) {
      if (signal.holders.includes(session.holder)) {
        session.sendRaw(frame);
      }
    }
  }

  /** The nickname the sender writes under: the one of its first room. */
  private nickOf(session: ChatSession, ref: string): string {
    const first = session.rooms.values().next();
    if (first.done) {
      throw new ChatError(
        ErrorCode.NotJoined,
        'Join a room first: your nickname comes from it',
        ref,
      );
    }

    return first.value.nick;
  }

  /** The one live person behind a nickname, other than the sender. */
  private resolve(session: ChatSession, to: string, ref: string) {
    const holders = this.options.presence
      .holdersOfNick(to)
      .filter((found) => found.holder !== session.holder);

    // Nicknames are unique per room only: when two people use this one in
    // different rooms, neither is guessed at.
    if (holders.length !== 1) {
      throw new ChatError(
        ErrorCode.NoSuchUser,
        holders.length === 0
          ? `Nobody called ${to} is online`
          : `More than one person is called ${to}`,
        ref,
      );
    }

    return holders[0];
  }

  private conversationOf(
    session: ChatSession,
    nick: string,
    peer: { holder: string; nick: string },
  ): Conversation {
    const mineFirst = session.holder < peer.holder;

    return {
      conversation: conversationId(session.holder, peer.holder),
      holders: mineFirst
        ? [session.holder, peer.holder]
        : [peer.holder, session.holder],
      nicks: mineFirst ? [nick, peer.nick] : [peer.nick, nick],
    };
  }
}
