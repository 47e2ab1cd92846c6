import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';

/** Any constant shared by every consumer instance; it names the migration lock in pg_locks. */
const MIGRATION_LOCK_KEY = 0x0f00d0;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so consumers starting
 * together (or the one-shot migrate step next to them) serialise: the first applies the
 * migrations, the others then find none pending. Returns the names of those applied.
 */
async function migrateWithLock(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

/** Runs the migrations at start-up, before the consumer joins its group. */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @InjectPinoLogger(MigrationRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const applied = await migrateWithLock(this.dataSource);
    this.logger.info(
      { migrations: applied },
      applied.length > 0 ? 'migrations applied' : 'no migrations pending',
    );
  }
}
