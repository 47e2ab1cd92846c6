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
