import type { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Makes the (inventory_item_id, location_id) unique index partial on `deleted_at IS NULL`,
 * so a level that was deleted can be created again. `@medusajs/inventory@1.11.7` ships a
 * migration for this but never registers it. Rebuilding the index is idempotent: it ends
 * in the same state whether or not that migration was ever applied by hand.
 */
export class inventoryLevelUniqueLive1732867200000 implements MigrationInterface {
  name = "inventoryLevelUniqueLive1732867200000"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_inventory_level_inventory_item_id_location_id"`)
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_inventory_level_inventory_item_id_location_id" ON "inventory_level" ("inventory_item_id", "location_id") WHERE deleted_at IS NULL`
    )
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Only possible while no two rows (deleted or not) share an item and a location.
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_inventory_level_inventory_item_id_location_id"`)
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_inventory_level_inventory_item_id_location_id" ON "inventory_level" ("inventory_item_id", "location_id")`
    )
  }
}
