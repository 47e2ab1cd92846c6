import { ConfigFactory, ConfigModule } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvDto, SECRET_SETTINGS } from './env.dto';

/** Thrown when one or more environment variables are invalid; one line per variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * The settings, typed and checked. Every bad variable is collected before failing, so a
 * misconfigured deployment learns about all of them in one start-up attempt.
 */
export function readEnv(source: Record<string, unknown> = process.env): EnvDto {
  const given: Record<string, string> = {};
  for (const name of Object.keys(new EnvDto())) {
    const value = source[name];
    if (typeof value === 'string' && value.trim() !== '') given[name] = value.trim();
  }
  const env = plainToInstance(EnvDto, given, { exposeDefaultValues: true });
  const defaults = new EnvDto();
  const issues = validateSync(env).map(({ property, constraints }) => {
    const name = property as keyof EnvDto;
    // Every rule of a setting says the same thing: what the setting accepts.
    const [accepted] = Object.values(constraints ?? {});
    if (SECRET_SETTINGS.has(name)) return `${name} is invalid: expected ${accepted}`;
    const fallback = defaults[name] === undefined ? '' : ` (default ${String(defaults[name])})`;
    return `${name}=${JSON.stringify(given[name])} is invalid: expected ${accepted}${fallback}`;
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return env;
}

/**
 * The app's ConfigModule: the environment, with ./.env filling in what it does not set (as `nest
 * start` users expect; tests ignore the file), checked by readEnv before anything starts, and the
 * typed namespaces each app injects.
 */
export function appConfigModule(load: ConfigFactory[]) {
  return ConfigModule.forRoot({
    isGlobal: true,
    load,
    ignoreEnvFile: process.env.NODE_ENV === 'test',
    validate: (config) => {
      readEnv(config);
      return config;
    },
  });
}
