import * as inventorySetup from "./1665748086258-inventory-setup"
import * as reservationExternalId from "./1675761451145-reservation-external-id"
import * as descriptionsAndThumbnail from "./1682927363119-descriptions-and-thumbnail"
import * as levelUniqueLive from "./1732867200000-inventory-level-unique-live"
import * as searchIndexes from "./1732867300000-search-indexes"
import * as stockLedger from "./1733011200000-stock-ledger"
import * as serverFunctions from "./1796083200000-server-functions"
import * as warehouseOperations from "./1796169600000-warehouse-operations"
import * as serverFunctionsV2 from "./1796256000000-server-functions-v2"

/**
 * In the shape Medusa 1.20 expects of `moduleDefinition.migrations`: one object per file,
 * whose values are migration classes. Applied in timestamp order.
 */
const migrations = [
  inventorySetup,
  reservationExternalId,
  descriptionsAndThumbnail,
  levelUniqueLive,
  searchIndexes,
  stockLedger,
  serverFunctions,
  warehouseOperations,
  serverFunctionsV2,
]

export const migrationClasses: Function[] = migrations.flatMap((m) =>
  Object.values(m).filter((value) => typeof value === "function")
)

export default migrations
