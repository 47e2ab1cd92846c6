import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../tools/lib/paths';

const DOCS = join(ROOT, 'docs');

interface LineLink {
  doc: string;
  target: string;
  line: number;
  /** The code the link shows, as its title (prettier may quote it either way): `[x](../a.ts#L12 "code")`. */
  code?: string;
}

function lineLinks(): LineLink[] {
  return readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .flatMap((doc) =>
      [
        ...readFileSync(join(DOCS, doc), 'utf8').matchAll(
          /\]\((\.\.\/[^)#\s]+)#L(\d+)(?: "([^"]*)"| '([^']*)')?\)/g,
        ),
      ].map((m) => ({ doc, target: m[1], line: Number(m[2]), code: m[3] ?? m[4] })),
    );
}

describe('docs', () => {
  it('link to the lines of code they describe: each line link names its code, found on that line', () => {
    const drifted = lineLinks().filter(({ target, line, code }) => {
      const file = join(DOCS, target);
      if (!code || !existsSync(file)) return true;
      return !(readFileSync(file, 'utf8').split('\n')[line - 1] ?? '').includes(code);
    });
    expect(drifted).toEqual([]);
    expect(lineLinks().length).toBeGreaterThan(10);
  });
});
