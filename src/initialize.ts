import { MedusaModule, MODULE_PACKAGE_NAMES, MODULE_RESOURCE_TYPE, MODULE_SCOPE, Modules } from "@medusajs/modules-sdk"
import type { IInventoryService, InternalModuleDeclaration, ModulesSdkTypes } from "@medusajs/types"
import { resolveOptions } from "./options"
import { moduleDefinition } from "./module-definition"
import type { InventoryModuleOptions } from "./types"

type InitializeOptions =
  | InventoryModuleOptions
  | (Partial<InternalModuleDeclaration> & { options?: InventoryModuleOptions })

/**
 * Boots the module outside a Medusa server (scripts, tests, other apps), through
 * `@medusajs/modules-sdk`. Accepts `{ database }` or `{ options: { database } }`.
 */
export async function initialize(
  options?: InitializeOptions,
  injectedDependencies?: Record<string, unknown>
): Promise<IInventoryService> {
  const declaration = (options ?? {}) as Partial<InternalModuleDeclaration> & InventoryModuleOptions
  resolveOptions(declaration.options ?? declaration, {
    scope: declaration.scope ?? MODULE_SCOPE.INTERNAL,
    resources: declaration.resources ?? MODULE_RESOURCE_TYPE.ISOLATED,
  } as Partial<InternalModuleDeclaration>)
  const loaded = await MedusaModule.bootstrap<IInventoryService>({
    moduleKey: Modules.INVENTORY,
    defaultPath: MODULE_PACKAGE_NAMES[Modules.INVENTORY],
    declaration: options as InternalModuleDeclaration | ModulesSdkTypes.ModuleBootstrapDeclaration,
    injectedDependencies,
    moduleExports: moduleDefinition,
  })
  return loaded[Modules.INVENTORY]
}
