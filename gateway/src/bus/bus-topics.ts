/**
 * Topic names on the bus. Room names are URI-encoded so that no room can
 * contain a topic separator or an MQTT wildcard.
 */
export class BusTopics {
  constructor(private readonly prefix: string) {}

  room(room: string): string {
    return `${this.prefix}/room/${encodeURIComponent(room)}`;
  }

  typing(room: string): string {
    return `${this.prefix}/typing/${encodeURIComponent(room)}`;
  }

  /** Whether a topic carries typing notices. */
  isTyping(topic: string): boolean {
    return topic.startsWith(`${this.prefix}/typing/`);
  }

  /** Direct messages: every instance listens, few have their people. */
  get direct(): string {
    return `${this.prefix}/direct`;
  }

  get presence(): string {
    return `${this.prefix}/presence`;
  }

  /** The room a topic is about, or undefined for other topics. */
  roomOf(topic: string): string | undefined {
    const head = `${this.prefix}/room/`;

    return topic.startsWith(head)
      ? decodeURIComponent(topic.slice(head.length))
      : undefined;
  }
}
