// The fixes patches/ carries for kafkajs (applied by npm's postinstall), each shown on the case it fixes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (batch: {
  messages: Message[];
  abortedTransactions: Array<{ producerId: string; firstOffset: string }>;
}) => Message[];

interface Message {
  offset: string;
  value: Buffer | null;
  batchContext: { producerId: string; inTransaction: boolean; isControlBatch: boolean };
}

const ABORT_MARKER = Buffer.from([0, 0, 0, 0]); // control record key: version 0, type 0 (abort)

function record(offset: number, producerId: string, value: string): Message {
  return {
    offset: String(offset),
    value: Buffer.from(value),
    batchContext: { producerId, inTransaction: true, isControlBatch: false },
  };
}

describe('kafkajs, as patched', () => {
  it('hides every aborted transaction from a read_committed consumer, in whatever order the broker lists them', () => {
    // Two dead-letter producers interleaved in the DLQ: A (a crashed owner) began first, B second;
    // both were aborted, B first, and the broker lists them in that (abort) order.
    const messages = [
      record(0, 'A', 'A1'),
      record(1, 'A', 'A2'),
      record(2, 'B', 'B1'),
      {
        ...record(3, 'B', ''),
        key: ABORT_MARKER,
        batchContext: { producerId: 'B', inTransaction: true, isControlBatch: true },
      },
      {
        ...record(4, 'A', ''),
        key: ABORT_MARKER,
        batchContext: { producerId: 'A', inTransaction: true, isControlBatch: true },
      },
      record(5, 'C', 'C1'),
    ];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { producerId: 'B', firstOffset: '2' },
        { producerId: 'A', firstOffset: '0' },
      ],
    });
    expect(kept.filter((m) => !m.batchContext.isControlBatch).map((m) => m.value?.toString())).toEqual([
      'C1',
    ]);
  });
});

/* eslint-disable @typescript-eslint/no-require-imports */
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (
  deps: unknown,
) => (send: {
  acks: number;
  topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string }> }>;
}) => Promise<Array<{ topicName: string; partition: number; baseOffset: string }>>;
const createRetry = require('kafkajs/src/retry') as (options: unknown) => unknown;
const { KafkaJSConnectionClosedError } = require('kafkajs/src/errors') as {
  KafkaJSConnectionClosedError: new (message: string, where: { host: string; port: number }) => Error;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Two partitions on two brokers; the leader of partition 0 dies during the first send and node 2 takes over. */
function clusterWhoseLeaderMoves({ nodeOneStaysDown = false } = {}) {
  const leaders: Record<number, number> = { 0: 1, 1: 2 };
  const produced: string[] = [];
  let nodeOneDies = true;
  const broker = (nodeId: number) => ({
    nodeId,
    produce: ({
      topicData,
    }: {
      topicData: Array<{ topic: string; partitions: Array<{ partition: number }> }>;
    }) => {
      const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
      if (nodeId === 1 && nodeOneDies) {
        nodeOneDies = nodeOneStaysDown;
        return Promise.reject(new KafkaJSConnectionClosedError('Closed connection', { host: 'n1', port: 1 }));
      }
      produced.push(`node ${nodeId}: partitions ${partitions.join(',')}`);
      return Promise.resolve({
        topics: [
          {
            topicName: 'orders',
            partitions: partitions.map((partition) => ({ partition, errorCode: 0, baseOffset: '0' })),
          },
        ],
      });
    },
  });
  const brokers = new Map([1, 2].map((id) => [id, broker(id)]));
  const cluster = {
    targetTopics: new Set<string>(),
    addMultipleTargetTopics: () => Promise.resolve(),
    refreshMetadataIfNecessary: () => Promise.resolve(),
    // After the failure the metadata says node 2 leads partition 0 now.
    refreshMetadata: () => Promise.resolve(void (leaders[0] = nodeOneStaysDown ? 1 : 2)),
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () =>
      [0, 1].map((partitionId) => ({ partitionId, leader: leaders[partitionId] })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) =>
      partitions.reduce<Record<number, number[]>>((byLeader, partition) => {
        const leader = leaders[Number(partition)];
        return { ...byLeader, [leader]: [...(byLeader[leader] ?? []), Number(partition)] };
      }, {}),
    findBroker: ({ nodeId }: { nodeId: number }) => Promise.resolve(brokers.get(Number(nodeId))),
  };
  const eosManager = {
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => undefined,
    acquireBrokerLock: () => Promise.resolve(),
    releaseBrokerLock: () => Promise.resolve(),
    getProducerId: () => '1',
    getProducerEpoch: () => 0,
  };
  const logger = { debug: () => undefined, error: () => undefined };
  const send = createSendMessages({
    logger,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  });
  return { send, produced };
}

/** One record for partition 0 (led by node 1), one for partition 1 (node 2). */
const ONE_ORDER_A_PARTITION = {
  acks: -1,
  topicMessages: [
    {
      topic: 'orders',
      messages: [
        { key: '0', value: 'a' },
        { key: '1', value: 'b' },
      ],
    },
  ],
};

describe('kafkajs, as patched, when a partition leader dies during a send', () => {
  it('sends the partition again to its new leader, even one that already answered for another partition', async () => {
    const { send, produced } = clusterWhoseLeaderMoves();
    const acknowledged = await send(ONE_ORDER_A_PARTITION);
    expect(produced).toEqual(['node 2: partitions 1', 'node 2: partitions 0']);
    expect(acknowledged.map((r) => r.partition).sort()).toEqual([0, 1]);
  });

  it('says which records were acknowledged when it gives up, so that only the rest is sent again', async () => {
    const { send } = clusterWhoseLeaderMoves({ nodeOneStaysDown: true });
    const failure = await send(ONE_ORDER_A_PARTITION).catch(
      (error: { acknowledgedMessages?: Array<{ value: string }> }) => error,
    );
    expect(
      (failure as { acknowledgedMessages: Array<{ value: string }> }).acknowledgedMessages.map(
        (m) => m.value,
      ),
    ).toEqual(['b']);
  });
});

/* eslint-disable @typescript-eslint/no-require-imports */
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as new (options: unknown) => {
  memberId: string | null;
  coordinator: unknown;
  heartbeat(options: { interval: number }): Promise<void>;
};
const OffsetManager = require('kafkajs/src/consumer/offsetManager') as new (options: unknown) => {
  getCoordinator(): Promise<unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe('kafkajs, as patched, when the group coordinator’s broker dies', () => {
  // Node 2 led the group's __consumer_offsets partition and was killed; node 3 leads it now.
  const dead = { nodeId: 2, isConnected: () => false, heartbeat: jest.fn() };
  const successor = { nodeId: 3, isConnected: () => true, heartbeat: jest.fn().mockResolvedValue({}) };
  const cluster = {
    findGroupCoordinator: jest.fn().mockResolvedValue(successor),
    findBroker: jest.fn().mockRejectedValue(new Error('Broker 2 not found in the cached metadata')),
    committedOffsets: () => ({}),
  };
  const logger = {
    namespace: () => logger,
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
  };

  it('heartbeats to where the group is now, keeping its membership (no rejoin as a new member)', async () => {
    const group = new ConsumerGroup({
      cluster,
      groupId: 'order-processors',
      topics: [],
      logger,
      instrumentationEmitter: { emit: jest.fn() },
      retry: { retries: 0 },
    });
    group.memberId = 'member-1';
    group.coordinator = dead;
    await group.heartbeat({ interval: 0 });
    expect(cluster.findGroupCoordinator).toHaveBeenCalledWith({ groupId: 'order-processors' });
    expect(dead.heartbeat).not.toHaveBeenCalled();
    expect(successor.heartbeat).toHaveBeenCalledWith(expect.objectContaining({ memberId: 'member-1' }));
  });

  it('commits offsets to where the group is now, not to the node that held it', async () => {
    const offsets = new OffsetManager({
      cluster,
      coordinator: dead,
      groupId: 'order-processors',
      topicConfigurations: [],
      instrumentationEmitter: { emit: jest.fn() },
      memberAssignment: {},
    });
    await expect(offsets.getCoordinator()).resolves.toBe(successor);
    expect(cluster.findBroker).not.toHaveBeenCalled();
  });
});
