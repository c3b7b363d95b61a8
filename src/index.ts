import "reflect-metadata"
import { moduleDefinition } from "./module-definition"

export default moduleDefinition
export { moduleDefinition }
export { initialize } from "./initialize"
export { runMigrations, revertMigration } from "./migrations-runner"
export { joinerConfig } from "./joiner-config"
export { guardPool } from "./db/connection-guard"
export { InventoryItem, InventoryLevel, InventoryMovement, ReservationItem } from "./models"
export { default as InventoryService } from "./services/inventory"
export { InventoryEvents } from "./utils/events"
export type { StockAlertEvent } from "./utils/events"
export { Reasons as MovementReasons } from "./stock/ledger"
export type {
  InventoryModuleOptions,
  AllocationOption,
  InventoryDatabaseOptions,
  InventoryMovementDTO,
  FilterableInventoryMovementProps,
  StockMovementOptions,
  StockedQuantityAdjustment,
  StockedQuantitySet,
} from "./types"
