/**
 * `npm run bench -- --view`: the live view watching each contender's group and database, open in a
 * headless browser for the whole drain, so the bench's table says what an open page costs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { stopChild } from '../lib/processes';
import { ROOT } from '../lib/paths';

export interface OpenView {
  url: string;
  close(): Promise<void>;
}

export async function openView(env: Record<string, string>): Promise<OpenView> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join('tools', 'view.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, VIEW_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((found, failed) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /(http:\/\/\S+)/.exec(line);
      if (match) found(match[1]);
    });
    child.once('exit', (code) => failed(new Error(`the view exited with code ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  await page.goto(url);
  return {
    url,
    close: async () => {
      await browser.close();
      await stopChild(child, 'SIGTERM', 10_000);
    },
  };
}
