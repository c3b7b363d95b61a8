import type { InternalModuleDeclaration, LoaderOptions } from "@medusajs/types"
import type { InventoryModuleOptions } from "../types"
import { resolveOptions } from "../options"

/** Checks the options at load time, so that a mistyped option fails Medusa's boot with a clear message. */
export default async function containerLoader(
  { options }: LoaderOptions<InventoryModuleOptions>,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  resolveOptions(options, moduleDeclaration)
}
