import { Logger } from '@nestjs/common';
import { logCreator, logLevel } from 'kafkajs';

/** Routes kafkajs's own log entries into the app's JSON logs as fields, not as a string blob. */
export const kafkaLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
    const entry = { msg: `[${namespace}] ${message}`, ...fields };
    if (level === logLevel.ERROR) logger.error(entry);
    else if (level === logLevel.WARN) logger.warn(entry);
    else if (level === logLevel.INFO) logger.log(entry);
    else logger.debug(entry);
  };
};
