import type { RawData } from 'ws';

import { ErrorCode, type ErrorData } from '../protocol/index.js';

/** A frame that has the protocol's outer shape. */
export interface ParsedFrame {
  event: string;
  data: unknown;
}

/**
 * Reads a client frame's outer shape, `{"event": NAME, "data": …}`. What the
 * data must hold is the event schema's business, not the parser's.
 */
export function parseFrame(
  raw: RawData,
  isBinary: boolean,
): ParsedFrame | ErrorData {
  if (isBinary) {
    return refuse(ErrorCode.BadFrame, 'Frames must be JSON text, not binary');
  }

  let value: unknown;
  try {
    value = JSON.parse(rawText(raw));
  } catch {
    return refuse(ErrorCode.BadJson, 'The frame is not valid JSON');
  }

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(ErrorCode.BadFrame, 'A frame is a JSON object');
  }

  const { event, data } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) {
    return refuse(ErrorCode.BadFrame, 'A frame needs an "event" string');
  }

  return { event, data };
}

export function isParsedFrame(
  frame: ParsedFrame | ErrorData,
): frame is ParsedFrame {
  return 'event' in frame;
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) {
    return Buffer.concat(raw).toString('utf8');
  }

  return Buffer.from(raw as ArrayBuffer).toString('utf8');
}

function refuse(code: ErrorData['code'], message: string): ErrorData {
  return { code, message, ref: null };
}
