import { say } from '../lib/say';

/** Ctrl-C: the demo stops what it started (apps, broker, database) before it exits, and says how far it got. */
class Interrupted extends Error {}

let interrupted = false;

/** From now on, Ctrl-C interrupts the demo at its next check instead of killing it. */
export function stopOnCtrlC(): void {
  process.once('SIGINT', () => {
    interrupted = true;
    say('\n▶ Ctrl-C: stopping the apps, the broker and the database the demo started');
  });
}

export const wasInterrupted = (): boolean => interrupted;

export function checkInterrupted(): void {
  if (interrupted) throw new Interrupted('interrupted');
}
