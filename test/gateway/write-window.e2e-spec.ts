import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import { TestClient } from '../support/test-client.js';
import type { TestGateway } from '../support/test-gateway.js';

/**
 * A window far longer than a burst takes to send, so that every frame of
 * the burst after the first is held: what the window does under load is
 * then certain rather than a matter of timing.
 */
const WINDOW_MS = 100;

const BURST = 40;

/** A reader's buffer limit far below what one window of a burst holds. */
const MAX_BUFFERED = 256 * 1024;

describe('Write window', () => {
  let pair: GatewayPair;

  const connect = (gateway: TestGateway) => pair.connect(gateway);

  const joinAll = async (room: string, members: TestClient[]) => {
    members.forEach((member, i) =>
      member.send('join', { room, nick: `member-${i}` }),
    );
    await Promise.all(members.map((member) => member.waitFor('joined')));
  };

  beforeAll(async () => {
    pair = await startGatewayPair('write-window', {
      WRITE_WINDOW_MS: String(WINDOW_MS),
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
      MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    });
  });

  afterAll(async () => {
    await pair?.close();
  });

  it('should deliver a burst held in windows to every member, whole, once and in seq order', async () => {
    const members = await Promise.all([
      connect(pair.east),
      connect(pair.east),
      connect(pair.east),
      connect(pair.west),
      connect(pair.west),
      connect(pair.west),
    ]);
    await joinAll('burst', members);
    const [eastSender, , , westSender] = members;

    for (let i = 0; i < BURST / 2; i++) {
      eastSender.send('send', { room: 'burst', text: `e${i}`, id: `e-${i}` });
      westSender.send('send', { room: 'burst', text: `w${i}`, id: `w-${i}` });
    }

    for (const member of members) {
      const messages = await member.waitForMessages('burst', BURST);
      const seqs = messages.map((message) => message.seq);
      expect(seqs).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
      expect(new Set(messages.map((m) => m.id)).size).toBe(BURST);
    }
    const acks = [eastSender, westSender].flatMap((s) => s.all('ack'));
    expect(acks).toHaveLength(BURST);
  });

  it('should not take a reader for a slow one when a window holds more than its buffer limit', async () => {
    const sender = await connect(pair.east);
    const reader = await connect(pair.west);
    await joinAll('large', [sender, reader]);

    // 300 messages of 4000 characters: 1.2 MB, far past the reader's
    // limit, sent within a window or two to a reader that reads.
    const text = 'z'.repeat(4000);
    for (let i = 0; i < 300; i++) {
      sender.send('send', { room: 'large', text, id: `l-${i}` });
    }
    const messages = await reader.waitForMessages('large', 300);

    expect(messages.map((m) => m.seq)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    expect(reader.socket.readyState).toBe(reader.socket.OPEN);
  });

  it('should count frames held and the fewer writes they left in', async () => {
    const sender = await connect(pair.east);
    const reader = await connect(pair.west);
    await joinAll('writes', [sender, reader]);
    const before = await windowTotals(pair.west);

    for (let i = 0; i < BURST; i++) {
      sender.send('send', { room: 'writes', text: `m${i}`, id: `m-${i}` });
    }
    await reader.waitForMessages('writes', BURST);
    const after = await windowTotals(pair.west);

    // West holds only the reader's frames. The first leaves at once; the
    // rest arrive from the bus within the window and leave at its end.
    expect(after.frames - before.frames).toBeGreaterThanOrEqual(BURST);
    expect(after.writes - before.writes).toBeLessThan(BURST / 4);
  });
});

/** The write window's counters on a gateway's /metrics. */
async function windowTotals(gateway: TestGateway) {
  const text = await (
    await fetch(`http://127.0.0.1:${gateway.port}/metrics`)
  ).text();
  const total = (name: string) =>
    Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);

  return {
    frames: total('chat_window_frames_total'),
    writes: total('chat_window_writes_total'),
  };
}
