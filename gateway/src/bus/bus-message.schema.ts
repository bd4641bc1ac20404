import { z } from 'zod';

import type { ChatMessage } from '../protocol/index.js';

/**
 * The shape a chat message from the bus must have. Other processes can
 * publish on a shared broker: nothing off the wire is trusted unchecked.
 */
export const busMessageSchema = z.object({
  room: z.string().min(1),
  seq: z.number().int().min(1),
  id: z.string(),
  nick: z.string(),
  text: z.string(),
  at: z.string(),
  server: z.string(),
  trace: z
    .object({
      acceptedAt: z.number(),
      storedAt: z.number(),
      publishedAt: z.number(),
    })
    .optional(),
}) satisfies z.ZodType<ChatMessage>;
