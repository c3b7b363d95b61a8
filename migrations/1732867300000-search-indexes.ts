import type { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Search support for `q`. `inventory_item_search_text()` joins sku, title and description with
 * a unit separator (so a match never spans two fields) and one trigram GIN index over it serves
 * `ILIKE '%text%'` on all three at once. The function is PL/pgSQL with a high COST on purpose:
 * never inlined, it keeps its cost, so the planner picks the index over a sequential scan that
 * would run the three ILIKEs on every row (it costs ILIKE as nearly free and otherwise scans).
 *
 * pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner who is not superuser
 * may create it; where it cannot be created the DO blocks swallow the error (in a
 * subtransaction) and `q` still works, by scanning.
 */
export class inventorySearchIndexes1732867300000 implements MigrationInterface {
  name = "inventorySearchIndexes1732867300000"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION inventory_item_search_text(sku text, title text, description text)
      RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $fn$
      BEGIN
        RETURN coalesce(sku, '') || chr(31) || coalesce(title, '') || chr(31) || coalesce(description, '');
      END
      $fn$`)
    await queryRunner.query(`
      DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); inventory search will scan', SQLERRM;
      END
      $$`)
    await queryRunner.query(`
      DO $$
      DECLARE
        ops text;
      BEGIN
        SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO ops
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_trgm';
        IF ops IS NOT NULL THEN
          EXECUTE format(
            'CREATE INDEX IF NOT EXISTS "IDX_inventory_item_search_trgm" ON "inventory_item" '
            'USING gin (inventory_item_search_text(sku, title, description) %s) WHERE deleted_at IS NULL', ops);
        END IF;
      END
      $$`)
    // Live levels by location, with the item: serves listInventoryItems({ location_id }).
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_level_location_item_live" ON "inventory_level" ("location_id", "inventory_item_id") WHERE deleted_at IS NULL`
    )
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_level_location_item_live"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_item_search_trgm"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS inventory_item_search_text(text, text, text)`)
    // pg_trgm stays: other tables may use it.
  }
}
