import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';

/** Any constant shared by every consumer instance; it names the migration lock in pg_locks. */
const MIGRATION_LOCK_KEY = 0x0f00d0;

/**
 * Runs pending migrations at start-up. Several consumers may start together, so they serialise on
 * a PostgreSQL advisory lock: the first applies the migrations, the others then find none pending.
 */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @InjectPinoLogger(MigrationRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        this.logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  }
}
