import { z } from 'zod';

/** A typing notice as it crosses the bus. */
export const typingSignalSchema = z.object({
  room: z.string().min(1),
  nick: z.string(),
  server: z.string(),
  /** The typist's holder: its own sessions are not told. */
  holder: z.string(),
});

export type TypingSignal = z.infer<typeof typingSignalSchema>;
