import { z } from 'zod';

import type { DirectMessage } from '../protocol/index.js';

const directMessageSchema = z.object({
  conversation: z.string().min(1),
  seq: z.number().int().min(1),
  id: z.string(),
  nick: z.string(),
  text: z.string(),
  at: z.string(),
  server: z.string(),
  to: z.string().optional(),
}) satisfies z.ZodType<DirectMessage>;

/**
 * A direct message as it crosses the bus, with the holders of its two
 * people: each instance hands it to its own sessions of either one.
 */
export const directSignalSchema = z.object({
  message: directMessageSchema,
  holders: z.tuple([z.string(), z.string()]),
});

export type DirectSignal = z.infer<typeof directSignalSchema>;
