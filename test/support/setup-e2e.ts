import 'reflect-metadata';
import { dropKafkajsTimerWarning } from '@app/platform';

// The apps run inside the test process; they drop the same known kafkajs warning as in production.
dropKafkajsTimerWarning();
