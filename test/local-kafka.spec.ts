import { newClusterId } from '../tools/local-kafka';

describe(newClusterId.name, () => {
  it('never starts a cluster id with "-", which the storage tool would take for an option', () => {
    // 0xf8 as the first byte encodes to "-" in base64url: the first draw is refused, the second kept.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    expect(newClusterId(() => draws.shift()!)).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    for (let i = 0; i < 1_000; i += 1) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
