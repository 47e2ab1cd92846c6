import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCS = join(__dirname, '..', 'docs');

/** Every `[text](../path#L12)` link of docs/*.md, with the file that holds it. */
function lineLinks(): Array<{ doc: string; target: string; line: number }> {
  return readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .flatMap((doc) =>
      [...readFileSync(join(DOCS, doc), 'utf8').matchAll(/\]\((\.\.\/[^)#]+)#L(\d+)\)/g)].map((m) => ({
        doc,
        target: m[1],
        line: Number(m[2]),
      })),
    );
}

describe('docs', () => {
  it('link to lines of code that exist and are not blank', () => {
    const broken = lineLinks().filter(({ target, line }) => {
      const file = join(DOCS, target);
      if (!existsSync(file)) return true;
      const text = readFileSync(file, 'utf8').split('\n')[line - 1];
      return text === undefined || text.trim() === '';
    });
    expect(broken).toEqual([]);
    expect(lineLinks().length).toBeGreaterThan(10);
  });
});
