import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every index costs every insert. Dropped: the GIN index on items, which no query uses, and the
 * index on customer_id alone, whose queries the (customer_id, created_at) index serves as well.
 * processed_at now reads the clock per row: rows inserted by one statement would otherwise all
 * carry the statement's start time, and lose the order (and latency) they were written in.
 */
export class IndexesForBatches1764460800000 implements MigrationInterface {
  name = 'IndexesForBatches1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_orders_items"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_orders_customer_id"`);
    await queryRunner.query(`ALTER TABLE "orders" ALTER COLUMN "processed_at" SET DEFAULT clock_timestamp()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" ALTER COLUMN "processed_at" SET DEFAULT now()`);
    await queryRunner.query(`CREATE INDEX "idx_orders_customer_id" ON "orders" ("customer_id")`);
    await queryRunner.query(`CREATE INDEX "idx_orders_items" ON "orders" USING GIN ("items")`);
  }
}
