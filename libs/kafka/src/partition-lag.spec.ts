import { partitionLag } from './partition-lag';

describe(partitionLag.name, () => {
  const ends = [
    { partition: 1, low: '0', high: '40' },
    { partition: 0, low: '10', high: '25' },
    { partition: 2, low: '5', high: '5' },
  ];

  it('is the log-end offset minus the committed offset, per partition in partition order', () => {
    const lag = partitionLag(ends, [
      { partition: 0, offset: '20' },
      { partition: 1, offset: '40' },
      { partition: 2, offset: '5' },
    ]);
    expect(lag).toEqual([
      { partition: 0, logStart: 10, logEnd: 25, committed: 20, lag: 5 },
      { partition: 1, logStart: 0, logEnd: 40, committed: 40, lag: 0 },
      { partition: 2, logStart: 5, logEnd: 5, committed: 5, lag: 0 },
    ]);
  });

  it('counts a partition without a commit (-1) from its log-start offset, where the group starts reading', () => {
    const lag = partitionLag(ends, [{ partition: 0, offset: '-1' }]);
    expect(lag.map((p) => [p.committed, p.lag])).toEqual([
      [null, 15],
      [null, 40],
      [null, 0],
    ]);
  });

  it('counts a commit below the log start (records deleted by retention) from the log start', () => {
    expect(
      partitionLag([{ partition: 0, low: '100', high: '150' }], [{ partition: 0, offset: '30' }]),
    ).toEqual([{ partition: 0, logStart: 100, logEnd: 150, committed: 30, lag: 50 }]);
  });
});
