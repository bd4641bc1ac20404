import { z } from 'zod';

import {
  ClientEvent,
  Limits,
  ROOM_PATTERN,
  type ClientEventName,
} from '../protocol/index.js';

/** Counts code points, so that an emoji is one character, not two. */
const codePoints = (value: string) => [...value].length;

/** Control characters other than newline (C0, DEL and C1). */
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;

const room = z
  .string()
  .min(1)
  .refine((value) => codePoints(value) <= Limits.roomLength, {
    message: `at most ${Limits.roomLength} characters`,
  })
  .regex(ROOM_PATTERN, 'letters, digits, "-", "_" and "." only');

const nick = z
  .string()
  .trim()
  .min(1, 'a nickname is required')
  .refine((value) => codePoints(value) <= Limits.nickLength, {
    message: `at most ${Limits.nickLength} characters`,
  })
  .refine((value) => !/[\n\u2028\u2029]/u.test(value) && !CONTROL.test(value), {
    message: 'no control characters or line breaks',
  });

const id = z.string().min(1).max(Limits.idLength);

const text = z
  .string()
  .refine((value) => value.trim().length > 0, { message: 'text is empty' })
  .refine((value) => codePoints(value) <= Limits.textLength, {
    message: `at most ${Limits.textLength} characters`,
  })
  .refine((value) => !CONTROL.test(value), {
    message: 'no control characters other than newline',
  });

/** A session token handed out in `joined`, presented again on rejoin. */
const token = z.string().regex(/^[\w-]{16,128}$/u);

/** One schema per client event: the shape its `data` must have. */
export const clientFrameSchemas = {
  [ClientEvent.Join]: z.object({ room, nick, token: token.optional() }),
  [ClientEvent.Leave]: z.object({ room }),
  [ClientEvent.Send]: z.object({ room, text, id }),
  [ClientEvent.Resume]: z.object({
    room,
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  [ClientEvent.Ping]: z.object({}).optional(),
} satisfies Record<ClientEventName, z.ZodType>;

export type JoinRequest = z.infer<(typeof clientFrameSchemas)['join']>;
export type LeaveRequest = z.infer<(typeof clientFrameSchemas)['leave']>;
export type SendRequest = z.infer<(typeof clientFrameSchemas)['send']>;
export type ResumeRequest = z.infer<(typeof clientFrameSchemas)['resume']>;
