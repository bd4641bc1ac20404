/** A direct message written in the composer. */
export interface DirectCommand {
  to: string;
  text: string;
}

/** `/msg nick text`, the way IRC writes it. */
const MSG = /^\/msg\s+(\S+)\s+(\S[\s\S]*)$/u;

/** `@nick text`: a message to one person. */
const AT = /^@(\S+)\s+(\S[\s\S]*)$/u;

/** The direct message a composer text asks for, or `null` for none. */
export function directCommand(text: string): DirectCommand | null {
  const match = MSG.exec(text.trim()) ?? AT.exec(text.trim());
  if (match === null) return null;

  return { to: match[1], text: match[2] };
}
