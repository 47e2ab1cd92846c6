import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1763769600000 implements MigrationInterface {
  name = 'CreateOrders1763769600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "orders" (
        "order_id"     varchar(50)   NOT NULL,
        "customer_id"  varchar(50)   NOT NULL,
        "items"        jsonb         NOT NULL,
        "total_amount" numeric(10,2) NOT NULL,
        "status"       varchar(20)   NOT NULL,
        "created_at"   timestamptz   NOT NULL,
        "processed_at" timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT "pk_orders" PRIMARY KEY ("order_id")
      )`);
    await queryRunner.query(`CREATE INDEX "idx_orders_customer_id" ON "orders" ("customer_id")`);
    await queryRunner.query(`CREATE INDEX "idx_orders_created_at" ON "orders" ("created_at")`);
    await queryRunner.query(
      `CREATE INDEX "idx_orders_customer_created" ON "orders" ("customer_id", "created_at")`,
    );
    await queryRunner.query(`CREATE INDEX "idx_orders_items" ON "orders" USING GIN ("items")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "orders"`);
  }
}
