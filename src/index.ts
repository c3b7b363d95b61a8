import "reflect-metadata"
import { moduleDefinition } from "./module-definition"

export default moduleDefinition
export { moduleDefinition }
export { initialize } from "./initialize"
export { runMigrations, revertMigration } from "./migrations-runner"
export { joinerConfig } from "./joiner-config"
export { InventoryItem, InventoryLevel, ReservationItem } from "./models"
export { default as InventoryService } from "./services/inventory"
export { InventoryEvents } from "./utils/events"
export type { InventoryModuleOptions, InventoryDatabaseOptions } from "./types"
