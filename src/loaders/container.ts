import type { InternalModuleDeclaration, LoaderOptions } from "@medusajs/types"
import { asValue } from "awilix"
import type { InventoryModuleOptions } from "../types"
import { assertValidOptions } from "../options"

/** Validates the options once, at load time, and registers them. */
export default async function containerLoader(
  { options, container }: LoaderOptions<InventoryModuleOptions>,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  assertValidOptions(options, moduleDeclaration)
  container.register({ inventoryModuleOptions: asValue({ ...options }) })
}
