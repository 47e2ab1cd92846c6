import { Logger } from '@nestjs/common';
import { logCreator, logLevel } from 'kafkajs';

/**
 * Cluster states kafkajs answers by retrying or rejoining on its own: a group forming or rebalancing
 * (a consumer joined or left), a topic just created, a leader moving. Logged at info: an app that
 * starts or scales while they last is healthy; if they outlast the retries, the failure that follows
 * is logged as one.
 */
const RETRIED_STATES = [
  /coordinator is (not available|loading)/i,
  /group is rebalancing/i,
  /leadership election/i,
  /not the leader for that topic-partition/i,
  /does not host this topic-partition/i,
];
/** Said on purpose: the producers cap kafkajs's retries and re-send themselves (see their modules). */
const ON_PURPOSE = /Limiting retries for the idempotent producer/;

/** Routes kafkajs's own log entries into the app's JSON logs as fields, not as a string blob. */
export const kafkaLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
    const entry = { msg: `[${namespace}] ${message}`, ...fields };
    const error = typeof fields.error === 'string' ? fields.error : '';
    if (ON_PURPOSE.test(message)) logger.debug(entry);
    else if (level <= logLevel.WARN && RETRIED_STATES.some((state) => state.test(error))) logger.log(entry);
    else if (level === logLevel.ERROR) logger.error(entry);
    else if (level === logLevel.WARN) logger.warn(entry);
    else if (level === logLevel.INFO) logger.log(entry);
    else logger.debug(entry);
  };
};
