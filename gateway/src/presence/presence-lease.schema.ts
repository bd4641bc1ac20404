import { z } from 'zod';

import type { PresenceLease } from './presence-lease.js';

const member = z.object({ nick: z.string(), holder: z.string() });

/**
 * The shape a lease from the bus must have. The bus is shared with other
 * processes, so what arrives on it is checked like client input.
 */
export const presenceLeaseSchema = z.object({
  instance: z.string().min(1),
  ttlMs: z.number().int().min(0).max(3_600_000),
  rooms: z.array(z.tuple([z.string(), z.array(member)])),
  sync: z.boolean().optional(),
  final: z.boolean().optional(),
}) satisfies z.ZodType<PresenceLease>;
