/**
 * kafkajs 2.2.4 schedules its request-queue check with a negative delay (it starts from
 * throttledUntil = -1), which Node 24 reports as a TimeoutNegativeWarning on every start. Node
 * already clamps the delay to 1 ms, the kafkajs behaviour it had on older Node, so that one warning
 * is dropped; every other warning is printed as Node would.
 */
export function dropKafkajsTimerWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning' && warning.stack?.includes('kafkajs')) return;
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
  });
}
