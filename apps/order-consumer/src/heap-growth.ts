import { setFlagsFromString } from 'node:v8';

/**
 * Lets the old generation grow to three times what survived the last full collection before the
 * next one, where V8 picks about 1.3 times for a heap as small as the image's (128 MiB). A consumer
 * keeps each fetch's records until their batch commits, so they outlive two young collections and
 * are promoted: at 1.3 times it ran a full collection every ~0.3 s draining a backlog, a quarter of
 * its CPU (docs/performance.md, "Garbage collection"). --max-old-space-size stays the ceiling.
 * NODE_OPTIONS refuses this V8 flag, so the consumer sets it itself, before it allocates much.
 */
export function letOldGenerationGrow(): void {
  setFlagsFromString('--heap-growing-percent=200');
}
