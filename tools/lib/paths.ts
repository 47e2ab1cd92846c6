/** Where the tools and the tests work: the repository's root, and its ignored .cache folder for all they keep. */
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** A folder in .cache: jars, brokers' and clusters' data, run folders, profiles, logs. */
export const cacheDir = (name: string): string => join(ROOT, '.cache', name);
