import { Modules } from "@medusajs/modules-sdk"
import type { ModuleJoinerConfig } from "@medusajs/types"
import schema from "./schema"

export const joinerConfig: ModuleJoinerConfig = {
  serviceName: Modules.INVENTORY,
  primaryKeys: ["id"],
  linkableKeys: {
    inventory_item_id: "InventoryItem",
    inventory_level_id: "InventoryLevel",
    reservation_item_id: "ReservationItem",
  },
  schema,
  alias: [
    { name: ["inventory_items", "inventory"], args: { entity: "InventoryItem" } },
    {
      name: ["inventory_level", "inventory_levels"],
      args: { entity: "InventoryLevel", methodSuffix: "InventoryLevels" },
    },
    {
      name: ["reservation", "reservations", "reservation_item", "reservation_items"],
      args: { entity: "ReservationItem", methodSuffix: "ReservationItems" },
    },
  ],
}
