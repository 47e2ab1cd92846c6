import { ConfigError, loadDotEnv } from './env-reader';

type Namespace = () => unknown;

/** Every problem in the given namespaces, one line per bad variable; empty when all is well. */
export function configIssues(namespaces: Namespace[]): string[] {
  return namespaces.flatMap((namespace) => {
    try {
      namespace();
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
  });
}

/**
 * Called first thing in main.ts: a bad setting stops start-up with a line naming the variable,
 * instead of a stack trace from deep inside Kafka or PostgreSQL client code.
 */
export function validateConfigOrExit(app: string, namespaces: Namespace[]): void {
  loadDotEnv();
  const issues = configIssues(namespaces);
  if (issues.length === 0) return;
  for (const issue of issues) process.stderr.write(`${app}: configuration error: ${issue}\n`);
  process.exit(1);
}
