import { StatementSize } from './statement-size';

describe(StatementSize.name, () => {
  it('halves after a statement that was too slow, down to one order, and grows back after statements that pass', () => {
    const size = new StatementSize(1000);
    expect(size.current).toBe(1000);
    expect(size.shrink(1000)).toBe(500);
    expect(size.shrink(500)).toBe(250);
    size.passed(250);
    expect(size.current).toBe(313);
    size.passed(100); // a short batch says nothing about the size
    expect(size.current).toBe(313);
    for (let i = 0; i < 10; i += 1) size.passed(size.current);
    expect(size.current).toBe(1000);
    for (let i = 0; i < 20; i += 1) size.shrink(size.current);
    expect(size.current).toBe(1);
  });

  it('does not shrink below what another statement already shrank it to', () => {
    const size = new StatementSize(1000);
    size.shrink(1000);
    size.shrink(1000); // a second statement of the old size, timed out concurrently
    expect(size.current).toBe(500);
  });
});
