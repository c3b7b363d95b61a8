import type { InternalModuleDeclaration, LoaderOptions } from "@medusajs/types"
import { asValue } from "awilix"
import { DataSource, DataSourceOptions } from "typeorm"
import * as models from "../models"
import type { InventoryDatabaseOptions, InventoryModuleOptions } from "../types"
import { isSharedResources } from "../options"

/** The module's own DataSource, for isolated resources, built from `options.database`. */
export function buildDataSource(database: InventoryDatabaseOptions, extra: Partial<DataSourceOptions> = {}): DataSource {
  const { type: _type, extra: pool, ...rest } = database
  return new DataSource({
    ...rest,
    type: "postgres",
    extra: pool ?? {},
    entities: Object.values(models),
    ...extra,
  } as DataSourceOptions)
}

/**
 * In shared mode (Medusa 1.20's default) Medusa registers its own `manager` and adds our
 * models to its DataSource: nothing to do. Isolated, we connect with `options.database`.
 */
export default async function connectionLoader(
  { options, container }: LoaderOptions<InventoryModuleOptions>,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  if (isSharedResources(moduleDeclaration)) {
    return
  }
  // The container loader has checked the options (and that isolated mode has options.database).
  const dataSource = buildDataSource(options!.database!)
  await dataSource.initialize()
  container.register({
    manager: asValue(dataSource.manager),
    inventoryDataSource: asValue(dataSource),
  })
}
