import { MODULE_RESOURCE_TYPE, MODULE_SCOPE } from "@medusajs/modules-sdk"
import type { InternalModuleDeclaration } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type { InventoryModuleOptions } from "./types"

export function isSharedResources(declaration?: InternalModuleDeclaration): boolean {
  return declaration?.scope === MODULE_SCOPE.INTERNAL && declaration.resources === MODULE_RESOURCE_TYPE.SHARED
}

/**
 * Checks the module options, so that a typo in medusa-config.js fails the boot with a clear
 * message instead of surfacing later. Used by the loader and, before bootstrapping, by
 * `initialize()` (modules-sdk 1.x hides loader errors behind an unrelated TypeError).
 */
export function assertValidOptions(
  options: InventoryModuleOptions | undefined,
  moduleDeclaration?: Partial<InternalModuleDeclaration>
): void {
  const strict = options?.strictReservations
  if (strict !== undefined && typeof strict !== "boolean") {
    throw new MedusaError(
      MedusaError.Types.INVALID_ARGUMENT,
      `Inventory module option "strictReservations" must be a boolean (got ${JSON.stringify(strict)})`
    )
  }
  if (!isSharedResources(moduleDeclaration as InternalModuleDeclaration) && !options?.database) {
    throw new MedusaError(
      MedusaError.Types.INVALID_ARGUMENT,
      `Database config is not present at module config "options.database"`
    )
  }
}
