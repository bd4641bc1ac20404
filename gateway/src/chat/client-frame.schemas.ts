import { z } from 'zod';

import {
  ClientEvent,
  Limits,
  ROOM_PATTERN,
  type ClientEventName,
} from '../protocol/index.js';
import { INVISIBLE } from '../presence/nick-key.js';

/** Counts code points, so that an emoji is one character, not two. */
const codePoints = (value: string) => [...value].length;

/** Half of a surrogate pair on its own: not a character at all. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Bidirectional embeddings, overrides and isolates. In a nickname they
 * could flip how the rest of a line reads.
 */
const BIDI_CONTROL = /\p{Bidi_Control}/u;

/** Whether anything visible is left once invisible characters go. */
const visible = (value: string) =>
  value.replace(INVISIBLE, '').trim().length > 0;

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
  .refine(visible, { message: 'a nickname is required' })
  .refine((value) => codePoints(value) <= Limits.nickLength, {
    message: `at most ${Limits.nickLength} characters`,
  })
  .refine(
    (value) =>
      !/[\n\u2028\u2029]/u.test(value) &&
      !CONTROL.test(value) &&
      !BIDI_CONTROL.test(value) &&
      !LONE_SURROGATE.test(value),
    { message: 'no control, direction or broken characters' },
  );

const id = z.string().min(1).max(Limits.idLength);

const text = z
  .string()
  // Windows line ends are line ends, not control characters.
  .transform((value) => value.replace(/\r\n/g, '\n'))
  .refine(visible, { message: 'text is empty' })
  .refine((value) => codePoints(value) <= Limits.textLength, {
    message: `at most ${Limits.textLength} characters`,
  })
  .refine((value) => !CONTROL.test(value), {
    message: 'no control characters other than newline',
  })
  .refine((value) => !LONE_SURROGATE.test(value), {
    message: 'broken characters (a lone surrogate)',
  });

/** A conversation id as `ack` and `dm` frames give it. */
const conversation = z.string().regex(/^@[\w-]{16,64}$/u);

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
  [ClientEvent.Ping]: z.strictObject({}).optional(),
  [ClientEvent.Typing]: z.object({ room }),
  [ClientEvent.Rooms]: z.strictObject({}).optional(),
  [ClientEvent.Dm]: z.object({ to: nick, text, id }),
  [ClientEvent.DmResume]: z.object({
    conversation,
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  [ClientEvent.Conversations]: z.strictObject({}).optional(),
} satisfies Record<ClientEventName, z.ZodType>;

export type JoinRequest = z.infer<(typeof clientFrameSchemas)['join']>;
export type LeaveRequest = z.infer<(typeof clientFrameSchemas)['leave']>;
export type SendRequest = z.infer<(typeof clientFrameSchemas)['send']>;
export type ResumeRequest = z.infer<(typeof clientFrameSchemas)['resume']>;
export type TypingRequest = z.infer<(typeof clientFrameSchemas)['typing']>;
export type DmRequest = z.infer<(typeof clientFrameSchemas)['dm']>;
export type DmResumeRequest = z.infer<(typeof clientFrameSchemas)['dm_resume']>;
