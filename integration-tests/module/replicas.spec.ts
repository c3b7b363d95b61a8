import { DataSource } from "typeorm"
import { initialize, InventoryItem, InventoryLevel, ReservationItem, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import type { InventoryModuleOptions } from "../../src/types"
import { Cluster, startCluster } from "../utils/pg-cluster"

/**
 * `replicas`: against a real streaming replica that the test starts (`pg_basebackup -R` from a
 * primary of its own: the machine's server allows no replication connections, and tests do not
 * reconfigure it). Lists and retrieves outside a caller's transaction read from the replica;
 * quantities, confirmInventory, writes, reads right after the module's own writes and
 * everything in a caller's transaction read the primary; a replica that lags more than
 * `maxReplicaLagMs` or is down is skipped for the primary, with a warning.
 *
 * Which server answered is told by stale data: with the replica's replay paused
 * (`pg_wal_replay_pause()`), a change made on the primary is visible there and not on the
 * replica. The replica's own sessions are checked by `pg_is_in_recovery()`.
 */

const DATABASE = "inventory"

describe("read replicas", () => {
  let primary: Cluster
  let replica: Cluster
  let dataSource: DataSource
  const warnings: string[] = []
  const services: InventoryService[] = []
  let itemId: string

  const service = (options: InventoryModuleOptions) => {
    const made = new InventoryService(
      { manager: dataSource.manager, logger: { warn: (m: string) => warnings.push(m), error: () => undefined } } as never,
      { replicaCheckIntervalMs: 100, ...options }
    )
    services.push(made)
    return made
  }
  const onPrimary = (sql: string, params: unknown[] = []) => primary.query(sql, params, DATABASE)
  const onReplica = (sql: string, params: unknown[] = []) => replica.query(sql, params, DATABASE)

  async function caughtUp(): Promise<void> {
    const [{ lsn }] = await primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)
    for (let i = 0; i < 200; i++) {
      const [row] = await replica.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done`, [lsn])
      if (row.done) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error("the replica did not catch up")
  }

  /** The item's title as the module's list returns it. */
  const listedTitle = async (svc: InventoryService) => (await svc.listInventoryItems({ id: itemId }))[0][0].title

  beforeAll(async () => {
    primary = await startCluster()
    await primary.query(`CREATE DATABASE ${DATABASE}`)
    await runMigrations({ options: { database: { url: primary.url(DATABASE) } } })
    replica = await startCluster({ replicaOf: primary })
    dataSource = new DataSource({
      type: "postgres",
      url: primary.url(DATABASE),
      entities: [InventoryItem, InventoryLevel, ReservationItem],
    })
    await dataSource.initialize()
    const setup = new InventoryService({ manager: dataSource.manager }, {})
    itemId = (await setup.createInventoryItem({ sku: "REPLICATED", title: "first" })).id
    await setup.createInventoryLevel({ inventory_item_id: itemId, location_id: "loc", stocked_quantity: 10 })
    await caughtUp()
  }, 120_000)

  afterAll(async () => {
    for (const svc of services) await svc.__hooks.onApplicationShutdown()
    if (dataSource?.isInitialized) await dataSource.destroy()
    await replica?.destroy()
    await primary?.destroy()
  })

  beforeEach(async () => {
    warnings.length = 0
    await onPrimary(`UPDATE inventory_item SET title = 'first' WHERE id = $1`, [itemId])
    await onPrimary(`UPDATE inventory_level SET stocked_quantity = 10 WHERE inventory_item_id = $1`, [itemId])
    await caughtUp()
  })

  /** Pauses the replica's replay, changes the primary (outside the module), runs `fn`, resumes. */
  async function withReplayPaused<T>(fn: () => Promise<T>): Promise<T> {
    await replica.query(`SELECT pg_wal_replay_pause()`)
    try {
      await onPrimary(`UPDATE inventory_item SET title = 'changed' WHERE id = $1`, [itemId])
      await onPrimary(`UPDATE inventory_level SET stocked_quantity = 4 WHERE inventory_item_id = $1`, [itemId])
      // Make sure the replica received the change it is not replaying.
      for (let i = 0; i < 100; i++) {
        const [row] = await replica.query(`SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS behind`)
        if (row.behind) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return await fn()
    } finally {
      await replica.query(`SELECT pg_wal_replay_resume()`)
    }
  }

  it("lists and retrieves read the replica: its sessions are in recovery, and they see what it has replayed", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 })
    await withReplayPaused(async () => {
      expect(await listedTitle(svc)).toBe("first")
      expect((await svc.retrieveInventoryItem(itemId)).title).toBe("first")
      expect((await svc.retrieveInventoryLevel(itemId, "loc")).stocked_quantity).toBe(10)
      expect((await svc.listInventoryLevels({ inventory_item_id: itemId }))[0][0].stocked_quantity).toBe(10)
      const sessions = await onReplica(
        `SELECT pg_is_in_recovery() AS recovering, count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'medusa-inventory-typeorm:replica'`
      )
      expect(sessions).toEqual([{ recovering: true, n: expect.any(Number) }])
      expect(sessions[0].n).toBeGreaterThan(0)
    })
    expect(warnings).toEqual([])
  })

  it("quantities and confirmInventory read the primary (checkouts decide on them)", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 })
    await withReplayPaused(async () => {
      expect((await svc.listInventoryLevels({ inventory_item_id: itemId }))[0][0].stocked_quantity).toBe(10)
      expect(await svc.retrieveStockedQuantity(itemId, ["loc"])).toBe(4)
      expect(await svc.retrieveAvailableQuantity(itemId, ["loc"])).toBe(4)
      expect(await svc.confirmInventory(itemId, ["loc"], 5)).toBe(false)
    })
  })

  it("inside a caller's transaction everything reads the primary", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 })
    await withReplayPaused(async () => {
      const title = await dataSource.transaction(async (manager) =>
        (await svc.listInventoryItems({ id: itemId }, undefined, { transactionManager: manager }))[0][0].title
      )
      expect(title).toBe("changed")
    })
  })

  it("after the module writes, it reads its own writes from the primary", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 })
    await withReplayPaused(async () => {
      expect(await listedTitle(svc)).toBe("first")
      await svc.updateInventoryItem(itemId, { description: "written by the module" })
      const [[item]] = await svc.listInventoryItems({ id: itemId })
      expect(item).toMatchObject({ title: "changed", description: "written by the module" })
    })
  })

  it("a replica lagging more than maxReplicaLagMs is skipped for the primary, with a warning, and used again once it caught up", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 300 })
    await withReplayPaused(async () => {
      expect(await listedTitle(svc)).toBe("first")
      await new Promise((resolve) => setTimeout(resolve, 700))
      expect(await listedTitle(svc)).toBe("changed")
      expect(warnings).toEqual([expect.stringMatching(/^medusa-inventory-typeorm: replica postgres:\/\/postgres@127\.0\.0\.1:\d+\/inventory skipped for the primary: it lags \d+ ms \(maxReplicaLagMs 300\)$/)])
    })
    await caughtUp()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await listedTitle(svc)).toBe("changed")
    expect(warnings[1]).toMatch(/replica .* is used again/)
  })

  it("a replica that is down is skipped for the primary, with a warning; the reads still answer", async () => {
    const svc = service({ replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 })
    expect(await listedTitle(svc)).toBe("first")
    await replica.stop()
    try {
      await onPrimary(`UPDATE inventory_item SET title = 'while the replica is down' WHERE id = $1`, [itemId])
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await listedTitle(svc)).toBe("while the replica is down")
      expect((await svc.retrieveInventoryItem(itemId)).title).toBe("while the replica is down")
      expect(warnings.some((w) => /replica .* skipped for the primary: (it is unreachable|a read failed|its connection was lost)/.test(w))).toBe(true)
    } finally {
      await replica.start()
    }
  })

  it("isolated resources (initialize): the same routing over the module's own connection", async () => {
    const isolated = await initialize({
      options: { database: { url: primary.url(DATABASE) }, replicas: [replica.url(DATABASE)], maxReplicaLagMs: 60_000 },
    })
    try {
      await caughtUp()
      await withReplayPaused(async () => {
        expect((await isolated.listInventoryItems({ id: itemId }))[0][0].title).toBe("first")
        expect(await isolated.retrieveStockedQuantity(itemId, ["loc"])).toBe(4)
      })
    } finally {
      await (isolated as unknown as InventoryService).__hooks.onApplicationShutdown()
    }
  })
})
