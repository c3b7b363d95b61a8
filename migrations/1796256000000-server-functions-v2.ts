import type { MigrationInterface, QueryRunner } from "typeorm"
import { createFunctionSql, dropFunctionSql } from "../src/db/server-functions"
import { SERVER_FUNCTIONS } from "../src/stock/functions"

/**
 * The second versions of the server functions: the availability sums read the item only when
 * they found no level, and the single reservation writes its movement without the bulk
 * statements' `moves` CTE, its id made by the module (see src/stock/levels.ts and
 * src/stock/reservations.ts). The first versions stay, for a module of the earlier version
 * still running against the same database during a rolling deploy.
 */
export class inventoryServerFunctionsV21796256000000 implements MigrationInterface {
  name = "inventoryServerFunctionsV21796256000000"

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const fn of SERVER_FUNCTIONS) await queryRunner.query(createFunctionSql(fn))
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const fn of SERVER_FUNCTIONS) await queryRunner.query(dropFunctionSql(fn))
  }
}
