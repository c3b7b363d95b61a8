import type { DataSource, EntityManager } from "typeorm"
import {
  createDatabase,
  dropDatabase,
  RecordingEventBus,
  setupTestDatabase,
  TestDatabase,
  uniqueDatabaseName,
} from "../utils/database"
import { InventoryEvents } from "../../src/utils/events"
import { officialDataSource, officialService } from "../utils/official"
import { differences, Json, Labeller, normalize, normalizeError, NormalizedError, normalizeUnordered } from "./normalize"

const STOCK_ALERTS = new Set<string>([InventoryEvents.LEVEL_LOW_STOCK, InventoryEvents.LEVEL_OUT_OF_STOCK, InventoryEvents.LEVEL_BACK_IN_STOCK])

/**
 * Two fresh databases side by side: one migrated and served by `@medusajs/inventory@1.11.7`,
 * one by this module. A replay runs the same sequence of calls (as Medusa 1.20.11 makes them)
 * against each and records what every call answered, so that the two can be compared step
 * by step.
 */

export type ModuleName = "official" | "ours"

/**
 * The inventory service as Medusa's compiled JavaScript calls it: arguments are whatever Medusa
 * passes (left out, `undefined`, a string where the types say string[]), so nothing is typed.
 */
export type LooseInventoryService = Record<string, (...args: any[]) => Promise<any>>

export interface Module {
  name: ModuleName
  service: LooseInventoryService
  dataSource: DataSource
  /** Medusa's `manager` outside any transaction (what `activeManager_` is without `withTransaction`). */
  manager: EntityManager
  events: RecordingEventBus
  /** `manager.transaction(...)` as Medusa opens it around a flow. */
  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>
}

export interface ModulePair {
  official: Module
  ours: Module
  /** Empties both databases and both event logs. */
  reset(): Promise<void>
  close(): Promise<void>
}

export async function setupModulePair(): Promise<ModulePair> {
  const oursDb: TestDatabase = await setupTestDatabase("mit_compat")
  const officialName = uniqueDatabaseName("mit_compat_official")
  const officialDs = await officialDataSource(await createDatabase(officialName))
  await officialDs.runMigrations()
  const officialEvents = new RecordingEventBus()

  const official: Module = {
    name: "official",
    service: officialService(officialDs, officialEvents),
    dataSource: officialDs,
    manager: officialDs.manager,
    events: officialEvents,
    transaction: (fn) => officialDs.transaction(fn),
    query: (sql, params) => officialDs.query(sql, params),
  }
  const ours: Module = {
    name: "ours",
    service: oursDb.service() as unknown as LooseInventoryService,
    dataSource: oursDb.dataSource,
    manager: oursDb.dataSource.manager,
    events: oursDb.eventBus,
    transaction: (fn) => oursDb.dataSource.transaction(fn),
    query: (sql, params) => oursDb.dataSource.query(sql, params),
  }
  return {
    official,
    ours,
    reset: async () => {
      await oursDb.truncate()
      await officialDs.query(`TRUNCATE inventory_item, inventory_level, reservation_item`)
      officialEvents.clear()
    },
    close: async () => {
      await oursDb.close()
      if (officialDs.isInitialized) await officialDs.destroy()
      await dropDatabase(officialName)
    },
  }
}

// ------------------------------------------------------------------ recording a replay

export interface Outcome {
  ok: boolean
  value?: Json
  error?: NormalizedError
  /** Events emitted during a top-level step (after commit for ours, inside the call for the official). */
  events?: Json
  /** Ours only: levels whose `unavailable` breakdown was not the expected shape. */
  unavailable_shape?: string[]
}

export interface Step {
  /** Which Medusa call site and which shape: the same on both sides. */
  key: string
  outcome: Outcome
  /** What the module answered, before normalization (for assertions on our own behaviour). */
  raw: { value?: unknown; error?: unknown }
  /** The caller asked for no order: compared as a set (see StepOptions). */
  unordered?: boolean
}

export interface StepOptions {
  /**
   * The caller asked for no order (or Medusa ignores it): rows are compared as a set. Applies
   * to the step's value when it is an array, or to the first element of a `[rows, count]` pair.
   */
  unordered?: boolean
  /** The step runs calls concurrently (Medusa's promiseAll): its events are compared as a set. */
  unorderedEvents?: boolean
}

/** Thrown by `Replay.call` after recording an error, so that the flow stops as Medusa's would. */
export class ReplayedError extends Error {
  constructor(
    readonly key: string,
    readonly original: unknown
  ) {
    super(`step "${key}" failed: ${(original as Error)?.message ?? String(original)}`)
  }
}

export class Replay {
  readonly steps: Step[] = []
  readonly labeller = new Labeller()
  /** Set when the flow stopped on an error outside a recorded step (a bug in the flow itself). */
  aborted?: string
  private depth = 0

  constructor(readonly module: Module) {}

  get service(): LooseInventoryService {
    return this.module.service
  }

  /** Records one call; on error records it and rethrows, ending the flow as Medusa's would end. */
  async call<T>(key: string, fn: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    const step = await this.record(key, fn, options)
    if (!step.ok) throw new ReplayedError(key, step.error)
    return step.value as T
  }

  /** Records one call whose error the flow gets past (Medusa catches it, or the test wants the next case). */
  async attempt<T>(key: string, fn: () => Promise<T>, options: StepOptions = {}): Promise<T | undefined> {
    const step = await this.record(key, fn, options)
    return step.ok ? (step.value as T) : undefined
  }

  /**
   * A group of calls Medusa makes inside one of its transactions; the group is one step for the
   * events, which ours sends only once the transaction commits.
   */
  async group<T>(key: string, fn: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    return this.call(key, fn, options)
  }

  private async record<T>(
    key: string,
    fn: () => Promise<T>,
    options: StepOptions
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    const topLevel = this.depth === 0
    const eventsBefore = this.module.events.events.length
    const index = this.steps.length
    // Reserve the step's place: steps recorded inside a group come after it.
    this.steps.push({ key, outcome: { ok: true }, raw: {} })
    this.depth++
    let result: { ok: true; value: T } | { ok: false; error: unknown }
    try {
      result = { ok: true, value: await fn() }
    } catch (error) {
      result = { ok: false, error: error instanceof ReplayedError ? error.original : error }
    } finally {
      this.depth--
    }
    // README "Behaviour": this module's levels carry an `unavailable` breakdown (units set aside)
    // beside the official fields. Checked here for its shape, then left out of the comparison.
    const shapeProblems: string[] = []
    const compared = result.ok && this.module.name === "ours" ? withoutUnavailable(result.value, shapeProblems) : result.ok ? result.value : undefined
    const outcome: Outcome = result.ok
      ? { ok: true, value: this.normalizeValue(compared, options), ...(shapeProblems.length ? { unavailable_shape: shapeProblems } : {}) }
      : { ok: false, error: normalizeError(result.error, this.labeller) }
    if (topLevel) {
      // The stock alerts are events only this module sends (README "Behaviour"; the ledger
      // suite asserts them): left out, the rest must match the official module's.
      const events = this.module.events.events
        .slice(eventsBefore)
        .filter((e) => !STOCK_ALERTS.has(e.name))
        .map((e) => ({ name: e.name, data: e.data }))
      outcome.events = options.unorderedEvents ? normalizeUnordered(events, this.labeller) : normalize(events, this.labeller)
    }
    this.steps[index] = {
      key,
      outcome,
      raw: result.ok ? { value: result.value } : { error: result.error },
      unordered: options.unordered,
    }
    return result
  }

  private normalizeValue(value: unknown, options: StepOptions): Json {
    if (!options.unordered) return normalize(value, this.labeller)
    if (Array.isArray(value) && value.length === 2 && Array.isArray(value[0]) && typeof value[1] === "number") {
      return [normalizeUnordered(value[0], this.labeller), value[1]]
    }
    if (Array.isArray(value)) return normalizeUnordered(value, this.labeller)
    return normalize(value, this.labeller)
  }
}

/**
 * A copy of `value` without the `unavailable` field of this module's levels (objects with a
 * `stocked_quantity`), after checking that each is `{ damaged, quality_control, safety_stock }`
 * of integers; anything else is noted in `problems` (and so shows as a difference).
 */
export function withoutUnavailable(value: unknown, problems: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutUnavailable(v, problems))
  if (!value || typeof value !== "object" || value instanceof Date) return value
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value))
  for (const [key, inner] of Object.entries(record)) {
    if (key === "unavailable" && "stocked_quantity" in record) {
      const breakdown = inner as Record<string, unknown> | null
      const keys = breakdown && typeof breakdown === "object" ? Object.keys(breakdown).sort().join(",") : ""
      const integers = keys === "damaged,quality_control,safety_stock" && Object.values(breakdown!).every((n) => Number.isInteger(n))
      if (!integers) problems.push(`a level's "unavailable" is ${JSON.stringify(inner)}`)
      continue
    }
    out[key] = withoutUnavailable(inner, problems)
  }
  return out
}

/** A flow of Medusa calls, written once and run against each module. */
export type Flow = (replay: Replay, module: Module) => Promise<void>

/**
 * A difference the README lists as deliberate. Instead of comparing the step with the official
 * module, `check` asserts our behaviour (it may look at the official step too).
 */
export interface Allowance {
  /** The README "Behaviour" bullet that makes the difference deliberate, quoted. */
  readme: string
  check: (ours: Step, official: Step) => void
}

export async function runFlow(module: Module, flow: Flow): Promise<Replay> {
  const replay = new Replay(module)
  try {
    await flow(replay, module)
  } catch (error) {
    if (!(error instanceof ReplayedError)) {
      replay.aborted = `${(error as Error)?.stack ?? String(error)}`
    }
  }
  return replay
}

/**
 * Compares two replays step by step. Returns one line per difference, naming the step and the
 * field: `[3] <step key> value[0].sku: official "A", ours "B"`.
 */
export function compareReplays(official: Replay, ours: Replay, allowances: Record<string, Allowance> = {}): string[] {
  const out: string[] = []
  if (official.aborted) out.push(`official flow aborted outside a step: ${official.aborted}`)
  if (ours.aborted) out.push(`our flow aborted outside a step: ${ours.aborted}`)
  const n = Math.max(official.steps.length, ours.steps.length)
  for (let i = 0; i < n; i++) {
    const a = official.steps[i]
    const b = ours.steps[i]
    if (!a || !b || a.key !== b.key) {
      out.push(
        `[${i}] the flows took different paths: official "${a?.key ?? "(ended)"}" (${describeOutcome(a)}), ` +
          `ours "${b?.key ?? "(ended)"}" (${describeOutcome(b)})`
      )
      break
    }
    const allowance = allowances[a.key]
    if (allowance) {
      try {
        allowance.check(b, a)
      } catch (error) {
        out.push(`[${i}] ${a.key} (allowed difference, README: "${allowance.readme}") our behaviour: ${(error as Error).message}`)
      }
      continue
    }
    for (const line of differences(a.outcome as unknown as Json, b.outcome as unknown as Json)) {
      out.push(`[${i}] ${a.key} ${line}`)
    }
    // README: "List results are ordered by `id` after any requested order". Where the caller
    // requested none, the rows are compared as a set above; ours must come in id order.
    if (b.unordered && b.outcome.ok) {
      const ids = listRows(b.raw.value).map((row) => String((row as { id?: unknown })?.id))
      const sorted = [...ids].sort()
      if (ids.join() !== sorted.join()) {
        out.push(`[${i}] ${b.key} our rows are not in id order: ${ids.map((id) => ours.labeller.text(id)).join(", ")}`)
      }
    }
  }
  return out
}

/** The rows of a list answer: the array itself, or the first element of a `[rows, count]` pair. */
export function listRows(value: unknown): unknown[] {
  if (Array.isArray(value) && value.length === 2 && Array.isArray(value[0]) && typeof value[1] === "number") return value[0]
  return Array.isArray(value) ? value : []
}

function describeOutcome(step: Step | undefined): string {
  if (!step) return "no step"
  return step.outcome.ok ? "answered" : `${step.outcome.error?.type}: ${step.outcome.error?.message}`
}
