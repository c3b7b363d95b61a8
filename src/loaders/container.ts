import type { LoaderOptions } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import { asValue } from "awilix"
import type { InventoryModuleOptions } from "../types"

/**
 * Checks the module options once, at load time, so that a typo in medusa-config.js fails
 * the boot with a clear message instead of surfacing later, and registers them.
 */
export default async function containerLoader({ options, container }: LoaderOptions<InventoryModuleOptions>): Promise<void> {
  const strict = options?.strictReservations
  if (strict !== undefined && typeof strict !== "boolean") {
    throw new MedusaError(
      MedusaError.Types.INVALID_ARGUMENT,
      `Inventory module option "strictReservations" must be a boolean (got ${JSON.stringify(strict)})`
    )
  }
  container.register({ inventoryModuleOptions: asValue({ ...options }) })
}
