import type { InternalModuleDeclaration, LoaderOptions, Logger } from "@medusajs/types"
import { migrationClasses } from "../migrations"
import { buildDataSource, namesAServer } from "./loaders/connection"
import { isSharedResources } from "./options"
import type { InventoryModuleOptions } from "./types"

type MigrationOptions = Pick<LoaderOptions<InventoryModuleOptions>, "options"> & { logger?: Logger | Console }

async function withMigrationDataSource(
  { options, logger }: MigrationOptions,
  moduleDeclaration: InternalModuleDeclaration | undefined,
  action: "run" | "revert"
): Promise<void> {
  const database = options?.database
  if (!database || !namesAServer(database)) {
    // Shared mode: Medusa runs `default.migrations` in its own DataSource. Medusa 1.20 also
    // calls us without `options.database` whenever the module has options of its own. A
    // `database` that names no server is not connected to: libpq's defaults would be a guess.
    const why = database
      ? "options.database names no server"
      : isSharedResources(moduleDeclaration) || !moduleDeclaration
        ? "shared resources"
        : "no options.database"
    logger?.info(`Inventory module migrations: nothing to ${action} here (${why}); Medusa runs them with its own`)
    return
  }
  const dataSource = buildDataSource(database, { migrations: migrationClasses, migrationsTransactionMode: "each" })
  await dataSource.initialize()
  try {
    if (action === "run") {
      const applied = await dataSource.runMigrations()
      logger?.info(`Inventory module migrations: ${applied.length} applied`)
    } else {
      await dataSource.undoLastMigration()
      logger?.info("Inventory module migration reverted")
    }
  } finally {
    await dataSource.destroy()
  }
}

/** Brings `options.database` up to the module's schema. Running it twice is harmless. */
export async function runMigrations(
  options: MigrationOptions,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  await withMigrationDataSource(options, moduleDeclaration, "run")
}

/** Reverts the last applied migration of this module. */
export async function revertMigration(
  options: MigrationOptions,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  await withMigrationDataSource(options, moduleDeclaration, "revert")
}
