// Preloaded into an app a test wants to cut off from the Kafka brokers, and from them alone (the
// database link stays up): SIGUSR2 destroys every connection its Kafka clients have and fails
// every new one, the next SIGUSR2 lets them through again.
import { connect, Socket } from 'node:net';

// The module object itself (an `import *` would be a copy): Nest's transport reads Kafka from it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajs = require('kafkajs') as { Kafka: new (config: Record<string, unknown>) => object };

const sockets = new Set<Socket>();
let cut = false;

function gatedSocket({
  host,
  port,
  onConnect,
}: {
  host: string;
  port: number;
  onConnect: () => void;
}): Socket {
  const socket = connect({ host, port }, onConnect);
  if (cut) {
    setImmediate(() => socket.destroy(new Error('cut off from the Kafka brokers by the test')));
  } else {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  }
  return socket;
}

process.on('SIGUSR2', () => {
  cut = !cut;
  if (cut)
    for (const socket of sockets) socket.destroy(new Error('cut off from the Kafka brokers by the test'));
  process.stdout.write(`${JSON.stringify({ msg: cut ? 'kafka link cut' : 'kafka link restored' })}\n`);
});

const Kafka = kafkajs.Kafka;
kafkajs.Kafka = class GatedKafka extends Kafka {
  constructor(config: Record<string, unknown>) {
    super({ ...config, socketFactory: gatedSocket });
  }
};
