import type { MigrationInterface, QueryRunner } from "typeorm"

/** Same name as the official migration, so databases that ran it skip this one. */
export class addReservationType1675761451145 implements MigrationInterface {
  name = "addReservationType1675761451145"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "reservation_item" ADD COLUMN IF NOT EXISTS "external_id" character varying`
    )
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reservation_item" DROP COLUMN IF EXISTS "external_id"`)
  }
}
