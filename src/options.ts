import { MODULE_RESOURCE_TYPE, MODULE_SCOPE } from "@medusajs/modules-sdk"
import type { InternalModuleDeclaration } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type { StatementSettings } from "./db/executor"
import type { InventoryModuleOptions } from "./types"
import { id, nonNegativeInt, positiveInt, validate, z } from "./utils/validation"

export function isSharedResources(declaration?: Partial<InternalModuleDeclaration>): boolean {
  return declaration?.scope === MODULE_SCOPE.INTERNAL && declaration.resources === MODULE_RESOURCE_TYPE.SHARED
}

const replica = z.union([
  z.string().min(1, { error: "must not be empty" }),
  z.object({ url: z.string().min(1, { error: "must not be empty" }), max: positiveInt.optional() }).strict(),
])

const allocation = z.union(
  [
    z.literal("as-listed"),
    z.literal("most-available"),
    z
      .object({
        priority: z
          .array(id, { error: "must be an array of location ids" })
          .min(1, { error: "must name at least one location" })
          .refine((ids) => new Set(ids).size === ids.length, { error: "names a location twice" }),
      })
      .strict(),
  ],
  { error: 'must be "as-listed", "most-available" or { priority: [location ids] }' }
)

/** Every option the module knows; anything else fails the boot. */
const optionsSchema = z
  .object({
    /** Connection settings, for isolated resources (Medusa adds its own in shared mode; unused then). */
    database: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
    strictReservations: z.boolean({ error: "must be a boolean" }).optional(),
    preparedStatements: z.union([z.boolean(), z.literal("auto")], { error: 'must be a boolean or "auto"' }).optional(),
    lockTimeoutMs: positiveInt.optional(),
    statementTimeoutMs: positiveInt.optional(),
    replicas: z.array(replica, { error: "must be an array of URLs" }).optional(),
    maxReplicaLagMs: nonNegativeInt.optional(),
    replicaCheckIntervalMs: positiveInt.optional(),
    ledger: z.boolean({ error: "must be a boolean" }).optional(),
    lowStockThreshold: nonNegativeInt.optional(),
    sweepIntervalMs: positiveInt.optional(),
    callTimeoutMs: positiveInt.optional(),
    allocation: allocation.optional(),
    confirmPerLocation: z.boolean({ error: "must be a boolean" }).optional(),
  })
  .strict()

/**
 * The keys of a module declaration (`@medusajs/types` 1.11's InternalModuleDeclaration and
 * ExternalModuleDeclaration). modules-sdk 1.12's `MedusaModule.bootstrap` passes
 * `declaration.options ?? declaration` as the module's options, so a declaration without
 * options arrives here whole: its own keys are not options.
 */
export const DECLARATION_KEYS = ["scope", "resources", "resolve", "options", "alias", "main", "worker_mode", "definition", "dependencies", "server"]

/** `options` without the keys of a module declaration (see DECLARATION_KEYS). */
function withoutDeclarationKeys(options: object): object {
  if (!DECLARATION_KEYS.some((key) => key in options)) return options
  return Object.fromEntries(Object.entries(options).filter(([key]) => !DECLARATION_KEYS.includes(key)))
}

/** A call's whole-time bound when neither `callTimeoutMs` nor `statementTimeoutMs` is set. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000
/** With `statementTimeoutMs` set, a call may take this much longer before the client gives up on it. */
export const CALL_TIMEOUT_MARGIN_MS = 500

/**
 * How a level list that could decide a reservation's location is ordered (option
 * `allocation`; see stock/allocation.ts).
 */
export type Allocation = { kind: "as-listed" } | { kind: "most-available" } | { kind: "priority"; locations: string[] }

/** The module's settings, as the service uses them. */
export interface ResolvedOptions {
  strict: boolean
  statements: StatementSettings
  replicas: { url: string; max: number }[]
  maxReplicaLagMs: number
  replicaCheckIntervalMs: number
  ledger: boolean
  lowStockThreshold?: number
  sweepIntervalMs?: number
  /** The longest one call may take, client side (option `callTimeoutMs`, or its default). */
  callTimeoutMs: number
  allocation: Allocation
  /** `confirmInventory` asks whether one location can cover the quantity (option `confirmPerLocation`). */
  confirmPerLocation: boolean
}

const resolved = new WeakMap<object, ResolvedOptions>()

/**
 * Checks the module options once per options object, so that a typo in medusa-config.js fails
 * the boot with a clear message instead of surfacing later, and returns them with defaults.
 * Used by the loaders, the service and, before bootstrapping, by `initialize()` (modules-sdk
 * 1.x hides loader errors behind an unrelated TypeError).
 */
export function resolveOptions(
  options: InventoryModuleOptions | undefined,
  moduleDeclaration?: Partial<InternalModuleDeclaration>
): ResolvedOptions {
  const raw = (options ?? {}) as object
  if (!isSharedResources(moduleDeclaration) && moduleDeclaration && !options?.database) {
    throw new MedusaError(MedusaError.Types.INVALID_ARGUMENT, `Database config is not present at module config "options.database"`)
  }
  const known = resolved.get(raw)
  if (known) return known
  let parsed: z.output<typeof optionsSchema>
  try {
    parsed = validate(optionsSchema, withoutDeclarationKeys(raw), "options")
  } catch (error) {
    throw new MedusaError(MedusaError.Types.INVALID_ARGUMENT, `Inventory module: ${(error as Error).message}`)
  }
  const strategy: Allocation =
    parsed.allocation === undefined || parsed.allocation === "as-listed"
      ? { kind: "as-listed" }
      : parsed.allocation === "most-available"
        ? { kind: "most-available" }
        : { kind: "priority", locations: [...parsed.allocation.priority] }
  if (parsed.confirmPerLocation === true && strategy.kind === "as-listed") {
    throw new MedusaError(
      MedusaError.Types.INVALID_ARGUMENT,
      'Inventory module: "options.confirmPerLocation" needs an allocation strategy ("options.allocation": "most-available" or { priority }): ' +
        'with "as-listed" a reservation goes to the first-listed location whatever its stock, so one location covering the quantity would not mean it is reserved there'
    )
  }
  const callTimeoutMs =
    parsed.callTimeoutMs ?? (parsed.statementTimeoutMs !== undefined ? parsed.statementTimeoutMs + CALL_TIMEOUT_MARGIN_MS : DEFAULT_CALL_TIMEOUT_MS)
  const result: ResolvedOptions = {
    strict: parsed.strictReservations === true,
    statements: {
      preparedStatements: parsed.preparedStatements ?? "auto",
      lockTimeoutMs: parsed.lockTimeoutMs,
      statementTimeoutMs: parsed.statementTimeoutMs,
      callTimeoutMs,
    },
    replicas: (parsed.replicas ?? []).map((r) => (typeof r === "string" ? { url: r, max: 10 } : { url: r.url, max: r.max ?? 10 })),
    maxReplicaLagMs: parsed.maxReplicaLagMs ?? 1000,
    replicaCheckIntervalMs: parsed.replicaCheckIntervalMs ?? 1000,
    ledger: parsed.ledger !== false,
    lowStockThreshold: parsed.lowStockThreshold,
    sweepIntervalMs: parsed.sweepIntervalMs,
    callTimeoutMs,
    allocation: strategy,
    confirmPerLocation: parsed.confirmPerLocation === true,
  }
  resolved.set(raw, result)
  return result
}
