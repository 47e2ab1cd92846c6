import { existsSync } from 'node:fs';

/** Thrown when one or more environment variables are invalid; one line per variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Reads typed values out of the environment and collects every problem before failing, so a
 * misconfigured deployment learns about all of its bad variables in one start-up attempt.
 * This library is the only place in the project that touches process.env.
 */
export class EnvReader {
  private readonly issues: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  topic(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    if (!TOPIC_NAME.test(value)) {
      this.fail(name, value, 'a Kafka topic name of 1-249 characters from [a-zA-Z0-9._-]');
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.fail(name, raw, `an integer from ${min} to ${max} (default ${fallback})`);
      return fallback;
    }
    return value;
  }

  positiveNumber(name: string, fallback: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > max) {
      this.fail(name, raw, `a number greater than 0 and at most ${max} (default ${fallback})`);
      return fallback;
    }
    return value;
  }

  port(name: string, fallback: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
      this.fail(name, raw, `a TCP port from 0 to 65535, 0 meaning any free port (default ${fallback})`);
      return fallback;
    }
    return Number(raw);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.fail(name, raw, `one of ${allowed.join(', ')} (default ${fallback})`);
      return fallback;
    }
    return raw as T;
  }

  brokers(name: string, fallback: string): string[] {
    const raw = this.string(name, fallback);
    const brokers = raw
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean);
    const valid =
      brokers.length > 0 && brokers.every((b) => /^[^\s:/]+:\d{1,5}$/.test(b) && hostPort(b) <= 65535);
    if (!valid) this.fail(name, raw, 'a comma-separated list of host:port (e.g. localhost:9092)');
    return brokers;
  }

  /** A postgres:// URL. The value is never echoed back: it may carry a password. */
  postgresUrl(name: string, fallback: string): string {
    const raw = this.string(name, fallback);
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    const ok =
      url && ['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname && url.pathname.length > 1;
    if (!ok) {
      this.issues.push(`${name} is invalid: expected postgres://user:password@host:port/database`);
    }
    return raw;
  }

  /** Returns the collected value, or throws every problem found while reading it. */
  done<T>(value: T): T {
    if (this.issues.length > 0) throw new ConfigError([...this.issues]);
    return value;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  private fail(name: string, value: string, expected: string): void {
    this.issues.push(`${name}=${JSON.stringify(value)} is invalid: expected ${expected}`);
  }
}

function hostPort(broker: string): number {
  return Number(broker.slice(broker.lastIndexOf(':') + 1));
}

/** Loads ./.env into process.env (variables already set win), as `nest start` users expect. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
