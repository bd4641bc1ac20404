import { createServer, type Server } from 'node:net';

import { Aedes } from 'aedes';

import { freePort } from './free-port.js';

/** An in-process MQTT broker on a free loopback port. */
export interface TestBroker {
  url: string;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  const port = await freePort();

  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );

  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close();
        broker.close(() => resolve());
      }),
  };
}
