import { MODULE_RESOURCE_TYPE, MODULE_SCOPE } from "@medusajs/modules-sdk"
import type { InternalModuleDeclaration, LoaderOptions } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import { asValue } from "awilix"
import { DataSource, DataSourceOptions } from "typeorm"
import * as models from "../models"
import type { InventoryDatabaseOptions, InventoryModuleOptions } from "../types"

export function isSharedResources(declaration?: InternalModuleDeclaration): boolean {
  return declaration?.scope === MODULE_SCOPE.INTERNAL && declaration.resources === MODULE_RESOURCE_TYPE.SHARED
}

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
  const database = options?.database
  if (!database) {
    throw new MedusaError(
      MedusaError.Types.INVALID_ARGUMENT,
      `Database config is not present at module config "options.database"`
    )
  }
  const dataSource = buildDataSource(database)
  await dataSource.initialize()
  container.register({
    manager: asValue(dataSource.manager),
    inventoryDataSource: asValue(dataSource),
  })
}
