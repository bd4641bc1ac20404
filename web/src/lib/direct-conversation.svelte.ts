import type { ChatMessage, DirectMessage } from '$protocol';
import { RoomTimeline } from './room-timeline.svelte';

/**
 * A direct message in the shape the timeline holds, keyed by its
 * conversation: the conversation's seq is gapless like a room's.
 */
function asTimelineMessage(message: DirectMessage): ChatMessage {
  const { conversation, to: _to, ...rest } = message;

  return { ...rest, room: conversation };
}

/**
 * A two-person conversation as this tab holds it: the other person, the
 * instance they are on, the messages, the unread count. One opened from
 * the member list has no id until its first message is acknowledged.
 */
export class DirectConversation {
  id: string | null = $state(null);
  peer: string = $state('');
  /** The instance the other person is on now; `null` when offline. */
  server: string | null = $state(null);
  timeline: RoomTimeline | null = $state.raw(null);
  unread = $state(0);
  resumeInFlight = false;

  constructor(peer: string, id: string | null = null) {
    this.peer = peer;
    if (id !== null) this.identify(id);
  }

  /** Gives a draft its id, from the first acknowledgement. */
  identify(id: string): void {
    if (this.id !== null) return;

    this.id = id;
    this.timeline = new RoomTimeline(id, []);
  }

  /** Adds messages not yet held; returns the new ones. */
  merge(messages: readonly DirectMessage[]): ChatMessage[] {
    const timeline = this.timeline;
    if (timeline === null) return [];

    return timeline.merge(messages.map(asTimelineMessage));
  }
}
