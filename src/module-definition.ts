import type { ModuleExports } from "@medusajs/types"
import migrations from "../migrations"
import { connectionLoader, containerLoader } from "./loaders"
import { revertMigration, runMigrations } from "./migrations-runner"
import * as InventoryModels from "./models"
import InventoryService from "./services/inventory"

export const moduleDefinition: ModuleExports = {
  service: InventoryService,
  loaders: [containerLoader, connectionLoader],
  models: Object.values(InventoryModels),
  migrations,
  runMigrations,
  revertMigration,
}
