import type { MigrationInterface, QueryRunner } from "typeorm"
import { createFunctionSql, dropFunctionSql } from "../src/db/server-functions"
import { SERVER_FUNCTIONS } from "../src/stock/functions"

/**
 * The module's server functions (src/db/server-functions.ts): a checkout's availability check
 * and its reservation as PL/pgSQL functions, whose plans each server connection caches, also
 * behind transaction-mode poolers. Functions of this module only: `@medusajs/inventory` never
 * calls them, so a store can swap back. A new version of a function comes with a migration of
 * its own that creates it (CREATE OR REPLACE: this one creates the current versions too).
 */
export class inventoryServerFunctions1796083200000 implements MigrationInterface {
  name = "inventoryServerFunctions1796083200000"

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const fn of SERVER_FUNCTIONS) await queryRunner.query(createFunctionSql(fn))
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const fn of SERVER_FUNCTIONS) await queryRunner.query(dropFunctionSql(fn))
  }
}
