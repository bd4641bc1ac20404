import { ServerEvent, type ClientFrame, type ServerFrame } from '$protocol';

const serverEvents = new Set<string>(Object.values(ServerEvent));

/**
 * Reads a frame from the gateway, or `null` when the text is not one.
 *
 * Only the envelope is checked: the gateway is our own code and its data
 * shapes are typed on both sides, while a truncated or foreign frame (a
 * proxy's error page, say) must not throw inside the socket handler.
 */
export function decodeServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }

  if (typeof value !== 'object' || value === null) return null;

  const { event, data } = value as { event?: unknown; data?: unknown };
  if (typeof event !== 'string' || !serverEvents.has(event)) return null;
  if (typeof data !== 'object' || data === null) return null;

  return value as ServerFrame;
}

/** Writes a client frame as the JSON text the gateway expects. */
export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}
