import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStorage, newClusterId } from '../tools/kafka/kraft-node';
import { ROOT } from '../tools/lib/paths';

describe(newClusterId.name, () => {
  it('never starts a cluster id with "-", which the storage tool would take for an option', () => {
    // 0xf8 as the first byte encodes to "-" in base64url: the first draw is refused, the second kept.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    expect(newClusterId(() => draws.shift()!)).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    for (let i = 0; i < 1_000; i += 1) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('the local broker without Java or Maven', () => {
  const path = process.env.PATH;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'no-java-'));
    process.env.PATH = dir; // nothing to run there
  });

  afterEach(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says in one line that Maven is not installed, and what to do', () => {
    // In a process of its own: Maven is looked up on the real environment's PATH, which jest's is not.
    const resolve = `require('./tools/kafka/jars').resolveJars(${JSON.stringify(join(dir, 'cache'))}, () => {})`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', resolve], {
      cwd: ROOT,
      env: { ...process.env, PATH: dir, TS_NODE_TRANSPILE_ONLY: 'true' },
      encoding: 'utf8',
    });
    expect(run.stderr).toContain(
      'Apache Kafka 3.9.2 comes from Maven Central, and Maven is not installed (no mvn on the PATH): install it (apt-get install maven), or set KAFKA_BROKERS to a broker',
    );
  });

  it('says in one line that Java is not installed, and what to do', () => {
    expect(() => formatStorage('libs/*', join(dir, 'server.properties'), 'id', dir)).toThrow(
      `formatting the broker's storage in ${dir} failed: Java is not installed (no java on the PATH): install a Java runtime, 17 or newer (apt-get install openjdk-17-jre-headless)`,
    );
  });
});
