/** The apps the demo runs are dist/'s: built first when their sources are newer. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { say } from '../lib/say';
import { ROOT } from '../lib/paths';

const builtApps = () =>
  ['order-producer', 'order-consumer'].map((app) => join(ROOT, 'dist', 'apps', app, 'main.js'));

/** Whether dist/ holds both apps built after the last change to their sources. */
function builtIsCurrent(): boolean {
  const newest = (path: string): number => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
  };
  const built = builtApps();
  if (!built.every((file) => existsSync(file))) return false;
  const sources = [
    'apps',
    'libs',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'nest-cli.json',
  ];
  return (
    Math.min(...built.map((file) => statSync(file).mtimeMs)) >
    Math.max(...sources.map((s) => newest(join(ROOT, s))))
  );
}

export function buildIfStale(): void {
  if (builtIsCurrent()) {
    say('▶ the apps in dist/ are newer than their sources: no build needed');
    return;
  }
  say('▶ building the apps (nest build, about 20 s)');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // webpack leaves an unchanged bundle untouched: mark both as built now, for the next run's check.
  const now = new Date();
  for (const file of builtApps()) utimesSync(file, now, now);
}
