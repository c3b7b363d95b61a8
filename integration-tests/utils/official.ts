import { DataSource } from "typeorm"

/**
 * `@medusajs/inventory@1.11.7`, the module we replace, wired over a DataSource of our own
 * (its `initialize()` never closes its connection). Used to make databases the way a store
 * running the official module has them, and to compare behaviour.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const officialModels = require("@medusajs/inventory/dist/models")
const officialMigrations: Record<string, Function>[] = require("@medusajs/inventory/dist/migrations").default
const officialServices = require("@medusajs/inventory/dist/services")
/* eslint-enable @typescript-eslint/no-require-imports */

export async function officialDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource({
    type: "postgres",
    url,
    entities: Object.values(officialModels) as Function[],
    migrations: officialMigrations.flatMap((m) => Object.values(m)),
  })
  await dataSource.initialize()
  return dataSource
}

export function officialService(dataSource: DataSource, eventBusService?: unknown): any {
  const cradle: Record<string, unknown> = { manager: dataSource.manager, eventBusService }
  cradle.inventoryItemService = new officialServices.InventoryItemService(cradle)
  cradle.inventoryLevelService = new officialServices.InventoryLevelService(cradle)
  cradle.reservationItemService = new officialServices.ReservationItemService(cradle)
  return new officialServices.InventoryService(cradle, {}, undefined)
}
