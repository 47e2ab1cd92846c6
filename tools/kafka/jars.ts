/** The broker's jars and Kafka's tools, resolved once from Maven Central into .cache/kafka. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/paths';

export const KAFKA_VERSION = '3.9.2';
export const KAFKA_CACHE_DIR = cacheDir('kafka');

/** The fix for a program that is not installed (ENOENT from spawning it), or undefined for any other failure. */
export function missingProgram(
  error: unknown,
  program: string,
  command: string,
  install: string,
): string | undefined {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
    ? `${program} is not installed (no ${command} on the PATH): ${install}`
    : undefined;
}

export const JAVA_MISSING = 'install a Java runtime, 17 or newer (apt-get install openjdk-17-jre-headless)';

/** Downloads the broker's jars once; later calls reuse the cache. Returns the libs folder. */
export function resolveJars(cacheDir: string, log: (line: string) => void): string {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  // The marker holds the pom's digest: a pom that lists more (e.g. the tools) resolves again.
  const pom = createHash('sha256')
    .update(readFileSync(join(__dirname, 'pom.xml')))
    .digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').includes(pom)) return libs;
  log(`resolving Apache Kafka ${KAFKA_VERSION} from Maven Central into ${cacheDir} (first run only)`);
  rmSync(libs, { recursive: true, force: true });
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        `-Dmaven.repo.local=${join(cacheDir, 'm2')}`,
        '-f',
        join(__dirname, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    const missing = missingProgram(
      error,
      'Maven',
      'mvn',
      'install it (apt-get install maven), or set KAFKA_BROKERS to a broker',
    );
    if (missing) throw new Error(`Apache Kafka ${KAFKA_VERSION} comes from Maven Central, and ${missing}`);
    // Maven's own report says what failed (network, repository); show it rather than a bare exit code.
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    const report = `${String(stdout ?? '')}${String(stderr ?? '')}`.trim() || String(error);
    throw new Error(`Maven could not resolve Apache Kafka ${KAFKA_VERSION}:\n${report}`);
  }
  writeFileSync(marker, `${new Date().toISOString()} ${pom}\n`);
  return libs;
}
