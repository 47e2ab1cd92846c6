import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Where a process spent its CPU, by package: self time of every sample, idle excluded. */
export function cpuByPackage(profileDir: string): Array<{ where: string; share: number }> {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const where = packageOf(frames.get(id)!);
    if (where !== '(idle)') totals.set(where, (totals.get(where) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals]
    .map(([where, time]) => ({ where, share: time / busy }))
    .sort((a, b) => b.share - a.share);
}

function packageOf({ functionName, url }: { functionName: string; url: string }): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  if (url.includes('dist/apps/')) return 'the project (apps and libs)';
  if (url.startsWith('node:')) return 'Node.js (buffers, streams, module loading)';
  return '(native, unattributed)';
}
