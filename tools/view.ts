/**
 * npm run view: the live view of a running pipeline (@app/pipeline-view), at http://127.0.0.1:VIEW_PORT
 * (3003). It reads KAFKA_BROKERS, DATABASE_URL, the topics and the group like the apps, and the apps'
 * own endpoints (VIEW_APPS). `npm run demo` starts the same view with buttons for its own processes.
 */
import { dropKafkajsTimerWarning, exitOnSignals } from '@app/platform';
import { startView } from '@app/pipeline-view';
import { failCommand } from './command';

dropKafkajsTimerWarning();
startView().then(({ app, url }) => {
  // Ctrl-C closes the view (inside the demo, it closes with the demo).
  exitOnSignals(app);
  process.stdout.write(`live view of the pipeline: ${url}  (Ctrl-C stops it)\n`);
}, failCommand('view'));
