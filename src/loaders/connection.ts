import type { InternalModuleDeclaration, LoaderOptions } from "@medusajs/types"
import { asValue } from "awilix"
import { DataSource, DataSourceOptions } from "typeorm"
import { GuardOptions, guardedClientClass } from "../db/connection-guard"
import * as models from "../models"
import type { InventoryDatabaseOptions, InventoryModuleOptions } from "../types"
import { isSharedResources, resolveOptions } from "../options"

/**
 * The shape Medusa 1.20's module SDK gives `options.database` when it runs every module's
 * migrations itself (after its link migrations in `medusa migrations run`, whenever the
 * module's entry has options of its own): `{ clientUrl, driverOptions, debug }`, made for
 * MikroORM modules. TypeORM knows none of those keys: left as they are, the DataSource would
 * connect to libpq's defaults (another database, or "no PostgreSQL user name specified").
 */
interface SharedResourcesDatabase {
  clientUrl?: string
  driverOptions?: { connection?: { ssl?: unknown } } & Record<string, unknown>
  debug?: boolean
}

/** `options.database` as TypeORM takes it, from either its own shape or Medusa's shared-resources one. */
function typeormDatabaseOptions(database: InventoryDatabaseOptions & SharedResourcesDatabase): InventoryDatabaseOptions {
  const { clientUrl, driverOptions, debug: _debug, ...own } = database
  if (own.url || own.host || !clientUrl) return own
  const ssl = driverOptions?.connection?.ssl
  return {
    ...own,
    url: clientUrl,
    ...(ssl !== undefined && own.extra?.ssl === undefined ? { extra: { ...own.extra, ssl } } : {}),
  }
}

/** True when `options.database` names a server (a URL, a host, or Medusa's `clientUrl`). */
export function namesAServer(database: InventoryDatabaseOptions & SharedResourcesDatabase): boolean {
  return Boolean(database.url || database.host || database.clientUrl)
}

/**
 * The module's own DataSource, for isolated resources (and migrations, the CLI), built from
 * `options.database`. Its pool's clients are guarded (connection-guard.ts): each has an error
 * listener for its whole life, so a server that goes away never crashes the process, and,
 * with `guard.queryTimeoutMs`, a connection that stops answering is closed and discarded.
 * TCP keepalive is on unless `extra.keepAlive` says otherwise.
 */
export function buildDataSource(database: InventoryDatabaseOptions, extra: Partial<DataSourceOptions> = {}, guard: GuardOptions = {}): DataSource {
  const { type: _type, extra: pool, ...rest } = typeormDatabaseOptions(database)
  const poolOptions: Record<string, unknown> = { keepAlive: true, ...(pool ?? {}) }
  // A connection that takes longer to make than a whole call may take is of no use to the call.
  if (guard.queryTimeoutMs && poolOptions.connectionTimeoutMillis === undefined && (rest as { connectTimeoutMS?: unknown }).connectTimeoutMS === undefined) {
    poolOptions.connectionTimeoutMillis = guard.queryTimeoutMs
  }
  const dataSource = new DataSource({
    ...rest,
    type: "postgres",
    extra: poolOptions,
    entities: Object.values(models),
    ...extra,
  } as DataSourceOptions)
  // The driver has loaded `pg` (the copy TypeORM resolves); its pools are made at initialize().
  const pg = (dataSource.driver as unknown as { postgres?: { Client?: unknown } }).postgres
  const Base = (poolOptions.Client ?? pg?.Client) as Parameters<typeof guardedClientClass>[0] | undefined
  if (Base) poolOptions.Client = guardedClientClass(Base, guard)
  return dataSource
}

/**
 * In shared mode (Medusa 1.20's default) Medusa registers its own `manager` and adds our
 * models to its DataSource: nothing to do. Isolated, we connect with `options.database`.
 */
export default async function connectionLoader(
  { options, container }: LoaderOptions<InventoryModuleOptions>,
  moduleDeclaration?: InternalModuleDeclaration
): Promise<void> {
  if (isSharedResources(moduleDeclaration)) {
    return
  }
  // The container loader has checked the options (and that isolated mode has options.database).
  const { callTimeoutMs } = resolveOptions(options)
  const dataSource = buildDataSource(options!.database!, {}, { queryTimeoutMs: callTimeoutMs })
  await dataSource.initialize()
  container.register({
    manager: asValue(dataSource.manager),
    inventoryDataSource: asValue(dataSource),
  })
}
