import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

import { ErrorCode } from '../protocol/index.js';
import { ChatError } from './chat-error.js';

/**
 * Checks a frame's data against its event's schema. The error names the
 * first field that is wrong, and carries the event (or the message id, when
 * the data has one) as its ref.
 */
@Injectable()
export class FrameValidationPipe<T extends z.ZodType> implements PipeTransform {
  constructor(
    private readonly event: string,
    private readonly schema: T,
  ) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value);
    if (result.success) {
      return result.data;
    }

    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'data';
    const id = (value as { id?: unknown } | null)?.id;

    throw new ChatError(
      ErrorCode.InvalidData,
      `${this.event}: ${field}: ${issue?.message ?? 'invalid'}`,
      typeof id === 'string' ? id : this.event,
    );
  }
}
