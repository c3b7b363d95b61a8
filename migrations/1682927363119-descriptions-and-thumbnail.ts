import type { MigrationInterface, QueryRunner } from "typeorm"

/** Same name as the official migration, so databases that ran it skip this one. */
export class itemDescriptionsAndThumbnail1682927363119 implements MigrationInterface {
  name = "itemDescriptionsAndThumbnail1682927363119"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "inventory_item"
        ADD COLUMN IF NOT EXISTS "title" character varying,
        ADD COLUMN IF NOT EXISTS "description" character varying,
        ADD COLUMN IF NOT EXISTS "thumbnail" character varying`)
    await queryRunner.query(`
      ALTER TABLE "reservation_item"
        ADD COLUMN IF NOT EXISTS "description" character varying,
        ADD COLUMN IF NOT EXISTS "created_by" character varying`)
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "inventory_item"
        DROP COLUMN IF EXISTS "title",
        DROP COLUMN IF EXISTS "description",
        DROP COLUMN IF EXISTS "thumbnail"`)
    await queryRunner.query(`
      ALTER TABLE "reservation_item"
        DROP COLUMN IF EXISTS "description",
        DROP COLUMN IF EXISTS "created_by"`)
  }
}
