import type { ChatMessage } from '../protocol/index.js';
import type { PresenceLease } from '../presence/presence-lease.js';
import type { DirectSignal } from './direct-signal.js';
import type { TypingSignal } from './typing-signal.js';

/** Handlers a gateway registers on the bus. */
export interface BusHandlers {
  /** A message accepted by any instance, this one included. */
  message(message: ChatMessage): void;
  /**
   * A presence lease published by any instance, this one included, as it
   * came off the wire: the receiver checks its shape.
   */
  presence(lease: unknown): void;
  /** Someone is typing in a room this instance subscribed to. */
  typing(notice: TypingSignal): void;
  /** A direct message accepted by any instance, this one included. */
  direct(signal: DirectSignal): void;
  /**
   * The connection to the bus came back after a loss. Whatever was
   * published meanwhile may be missing and must be filled from the store.
   */
  reconnected(): void;
  /** The connection state changed. */
  state(connected: boolean): void;
}

/**
 * The cluster's publish/subscribe fan-out between instances. Messages are
 * published per room; an instance subscribes to the rooms its members are
 * in. The bus gives no durability: the store is the source of truth, and a
 * gateway fills from it whatever the bus missed.
 */
export interface ChatBus {
  /** Connects and resolves once the bus can carry messages. */
  start(handlers: BusHandlers): Promise<void>;

  /** Publishes what is queued and disconnects. */
  stop(): Promise<void>;

  /** Whether the bus is connected now. */
  readonly connected: boolean;

  /** Resolves once this instance receives the room's messages. */
  subscribeRoom(room: string): Promise<void>;

  unsubscribeRoom(room: string): Promise<void>;

  publishMessage(message: ChatMessage): void;

  publishPresence(lease: PresenceLease): void;

  /** Relays a typing notice to the room's instances; never stored. */
  publishTyping(signal: TypingSignal): void;

  /** Sends a direct message to every instance; it is stored already. */
  publishDirect(signal: DirectSignal): void;
}

/** Injection token of the ChatBus. */
export const CHAT_BUS = Symbol('CHAT_BUS');
