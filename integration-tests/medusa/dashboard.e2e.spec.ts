import fs from "fs"
import type { Browser, BrowserContext, Locator, Page } from "playwright-core"
import { ensureAdminBuild } from "../../scripts/admin-build"
import { appEnv, medusaCommand } from "../../scripts/example-app"
import { ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_WAREHOUSE, seedStore } from "../../scripts/seed-store"
import {
  artifactPath,
  clearArtifacts,
  DashboardGuard,
  eventually,
  ExpectedFailure,
  launchChromium,
  pickOption,
  responseTo,
  screenshot,
  tableRows,
} from "../browser/dashboard"
import { Api, installExampleApp, RunningApp, startExampleApp } from "./medusa-app"

/**
 * Medusa Admin 7.1 (the dashboard), driven in Chromium as a person would click it, on the
 * example app with the demo catalogue of `npm start` (scripts/seed-store.ts): once on this
 * module and once on @medusajs/inventory, whose observations must then agree.
 *
 * A guard fails a step on any request to another origin (all blocked; the country flags from
 * jsDelivr are decoration), any `/admin/*` response ≥ 400 after login, any page error and any
 * console error. On the official module the stock-history widget of this package's plugin is
 * still in the dashboard's build, but its route is not served: its 404 is the one expected
 * failure there.
 *
 * Screenshots: integration-tests/browser/artifacts/<module>/<step>.png (and <step>-failed.png),
 * with guard.json (every failed request and its verdict) and timings.json beside them.
 */

const MAIN = "Main Warehouse"
const BACKUP = "Backup Warehouse"

/** scripts/seed-store.ts's catalogue: product, variant, sku, and stock at [Main, Backup]. */
const CATALOGUE: [product: string, variant: string, sku: string, stock: [number, number]][] = [
  ["Medusa T-Shirt", "S", "DEMO-SHIRT-S", [20, 5]],
  ["Medusa T-Shirt", "M", "DEMO-SHIRT-M", [30, 10]],
  ["Medusa T-Shirt", "L", "DEMO-SHIRT-L", [15, 0]],
  ["Medusa Sweatshirt", "M", "DEMO-SWEAT-M", [12, 4]],
  ["Medusa Sweatshirt", "L", "DEMO-SWEAT-L", [8, 8]],
  ["Medusa Mug", "One size", "DEMO-MUG", [50, 25]],
  ["Medusa Cap", "One size", "DEMO-CAP", [3, 0]],
  ["Medusa Hoodie", "One size", "DEMO-HOODIE", [0, 6]],
]
/** The catalogue's stock of `sku` at the main warehouse. */
const mainStock = (sku: string) => CATALOGUE.find((entry) => entry[2] === sku)![3][0]
/** The demo order: 2 × DEMO-SHIRT-M, reserved at the main warehouse, and 1 × DEMO-HOODIE, reserved where the module's allocation puts it. */
const ORDER_SKU = "DEMO-SHIRT-M"
const ORDER_QUANTITY = 2
const HOODIE = { sku: "DEMO-HOODIE", quantity: 1 }

/** Step 4/5: DEMO-CAP's stock at the main warehouse is counted again, then it is stocked at another location. */
const CAP = { product: "Medusa Cap", sku: "DEMO-CAP", recount: 9, newStock: 7 }
/** Step 5's location when the demo catalogue already stocks DEMO-CAP at both warehouses. */
const EXTRA_LOCATION = "Overflow Warehouse"
/** Step 7: a manual reservation of mugs at the main warehouse, edited, then deleted. */
const HOLD = { sku: "DEMO-MUG", product: "Medusa Mug", description: "Held for a trade fair", quantity: 4, edited: 6 }

interface InventoryRow {
  product: string
  variant: string
  sku: string
  reserved: number
  stocked: number
}

type Levels = Record<string, { stocked: number; reserved: number }>

interface Module {
  name: string
  env: Record<string, string>
  expectedFailures: ExpectedFailure[]
  /**
   * Where the demo order's hoodie is reserved: the example store's allocation ("most-available")
   * puts it at the backup warehouse, the only one with stock; the official module reserves at
   * the first-listed warehouse, the main one, which has none.
   */
  hoodieAt: string
}

/** What the demo order reserved of `sku` at `location`. */
function demoReserved(subject: Module, sku: string, location: string): number {
  if (sku === ORDER_SKU && location === MAIN) return ORDER_QUANTITY
  if (sku === HOODIE.sku && location === subject.hoodieAt) return HOODIE.quantity
  return 0
}

/**
 * What the Inventory page should list at `location`, sorted by SKU: the items with a level
 * there (`seeded`: the levels per SKU as the admin API had them after seeding), with the
 * catalogue's quantities.
 */
function expectedInventory(subject: Module, seeded: Record<string, Levels>, location: string): InventoryRow[] {
  const index = location === MAIN ? 0 : 1
  return CATALOGUE.filter(([, , sku]) => location in seeded[sku])
    .map(([product, variant, sku, stock]) => ({
      product,
      variant,
      sku,
      reserved: demoReserved(subject, sku, location),
      stocked: stock[index],
    }))
    .sort((a, b) => a.sku.localeCompare(b.sku))
}

/** The Inventory page's rows without the hoodie's, which depend on the module's allocation (compared on their own). */
const withoutHoodie = (rows: InventoryRow[]) => rows.filter((row) => row.sku !== HOODIE.sku)

/** The refusals the Stock page's steps provoke on purpose, which the page shows (steps 11–13). */
const STOCK_PAGE_REFUSALS: ExpectedFailure[] = [
  { method: "POST", path: /^\/admin\/stock\/transfers$/, status: 409, why: "step 11 transfers more than the source has available" },
  { method: "POST", path: /^\/admin\/inventory-items\/[^/]+\/location-levels\/[^/]+\/release$/, status: 409, why: "step 12 releases more than is set aside" },
  { method: "POST", path: /^\/admin\/stock\/counts\/preview$/, status: 400, why: "step 13 uploads a count with a bad row" },
  { method: "POST", path: /^\/admin\/stock\/counts\/apply$/, status: 409, why: "step 13 applies a count after a sale" },
]

const MODULES: Module[] = [
  // The example store's configuration, as `npm start` runs it: allocation "most-available".
  { name: "ours", env: {}, expectedFailures: STOCK_PAGE_REFUSALS, hoodieAt: BACKUP },
  {
    name: "official",
    env: { INVENTORY_MODULE: "@medusajs/inventory" },
    hoodieAt: MAIN,
    expectedFailures: [
      {
        method: "GET",
        path: /^\/admin\/inventory-items\/[^/]+\/movements$/,
        status: 404,
        why: "the stock-history widget is in the dashboard's build, its route only in this module's plugin",
      },
    ],
  },
]

/** What each module's run saw, step by step, for the final comparison. */
const observed: Record<string, Record<string, unknown>> = {}
/** Where each module's allocation put the demo order's hoodie, as the dashboard showed it. */
const allocated: Record<string, Record<string, unknown>> = {}
/** The Reservations page's rows of the demo order (no location column there). */
const ORDER_ROWS = [
  { sku: HOODIE.sku, order: "1", description: "", quantity: String(HOODIE.quantity) },
  { sku: ORDER_SKU, order: "1", description: "", quantity: String(ORDER_QUANTITY) },
]

let browser: Browser
const setupTimings: Record<string, number> = {}

beforeAll(async () => {
  let started = Date.now()
  await installExampleApp()
  setupTimings["example app install"] = Date.now() - started
  started = Date.now()
  const build = await ensureAdminBuild()
  setupTimings[build ? "Medusa Admin build" : "Medusa Admin build (up to date)"] = Date.now() - started
  started = Date.now()
  browser = await launchChromium()
  setupTimings["Chromium launch"] = Date.now() - started
}, 900_000)

afterAll(async () => {
  await browser?.close()
  fs.writeFileSync(artifactPath(".", "timings", "json"), JSON.stringify(setupTimings, null, 2))
})

describe.each(MODULES)("Medusa Admin on the $name inventory module", (subject) => {
  let app: RunningApp
  let api: Api
  let context: BrowserContext
  let page: Page
  let guard: DashboardGuard
  const locationIds = new Map<string, string>()
  const seen: Record<string, unknown> = {}
  /** What the module's allocation decided, as the dashboard shows it (differs between the modules by design). */
  const allocation: Record<string, unknown> = {}
  const timings: Record<string, number> = {}
  /** The levels of each SKU right after seeding. */
  const seeded: Record<string, Levels> = {}
  /** Where step 5 stocked DEMO-CAP. */
  let addedAt: string | undefined

  beforeAll(async () => {
    let started = Date.now()
    app = await startExampleApp(subject.env)
    timings["app boot (migrations, server)"] = Date.now() - started
    started = Date.now()
    // The demo's own admin, made as `npm start` makes it (scripts/start-store.ts), then the catalogue.
    await medusaCommand(["user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD], appEnv(app.databaseUrl, Number(new URL(app.url).port), subject.env))
    timings["demo admin (medusa user)"] = Date.now() - started
    started = Date.now()
    api = new Api(app.url)
    await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    await seedStore(api, app.databaseUrl, { start: () => undefined, step: () => undefined, stop: () => undefined })
    const { stock_locations } = await api.ok("GET", "/admin/stock-locations")
    for (const location of stock_locations) locationIds.set(location.name, location.id)
    for (const [, , sku] of CATALOGUE) seeded[sku] = await levels(sku)
    timings["demo catalogue (seedStore)"] = Date.now() - started

    clearArtifacts(subject.name)
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    guard = await DashboardGuard.attach(context, { origin: app.url, expectedFailures: subject.expectedFailures })
    page = await context.newPage()
  }, 300_000)

  afterAll(async () => {
    if (guard) fs.writeFileSync(artifactPath(subject.name, "guard", "json"), JSON.stringify(guard.record(), null, 2))
    fs.writeFileSync(artifactPath(subject.name, "timings", "json"), JSON.stringify(timings, null, 2))
    observed[subject.name] = seen
    allocated[subject.name] = allocation
    await context?.close()
    await app?.stop()
  })

  /**
   * One step of the flow: its screenshots, the guard's verdict at its end, its duration; when it
   * fails, a screenshot named after it, and whatever the guard saw along the way.
   */
  const step = (name: string, fn: () => Promise<void>) => async () => {
    const started = Date.now()
    try {
      await fn()
      guard.check(name)
    } catch (error) {
      if (!page || !guard) throw error // the app or the browser did not start
      await screenshot(page, subject.name, `${name}-failed`)
      const problems = guard.take()
      if (problems.length && error instanceof Error) error.message += `\nThe guard saw, during ${name}:\n- ${problems.join("\n- ")}`
      // The next step starts from a page with nothing open (a dialog left open would block it).
      if (guard.loggedIn) await page.goto(`${app.url}/app/a/orders`).catch(() => undefined)
      guard.take()
      throw error
    } finally {
      timings[name] = Date.now() - started
    }
  }
  const shot = (name: string) => screenshot(page, subject.name, name)

  /** The levels of `sku` per location name, as the admin API has them. */
  async function itemIdOf(sku: string): Promise<string> {
    const { inventory_items } = await api.ok("GET", `/admin/inventory-items?sku=${encodeURIComponent(sku)}`)
    expect(inventory_items).toHaveLength(1)
    return inventory_items[0].id
  }

  async function levels(sku: string): Promise<Levels> {
    const { inventory_items } = await api.ok("GET", `/admin/inventory-items?sku=${encodeURIComponent(sku)}`)
    expect(inventory_items).toHaveLength(1)
    const names = new Map([...locationIds].map(([name, id]) => [id, name]))
    const result: Levels = {}
    for (const level of inventory_items[0].location_levels) {
      result[names.get(level.location_id) ?? level.location_id] = { stocked: level.stocked_quantity, reserved: level.reserved_quantity }
    }
    return result
  }

  async function navigate(link: string, url: RegExp): Promise<void> {
    await page.getByRole("link", { name: link, exact: true }).click()
    await page.waitForURL(url)
  }

  async function readInventory(): Promise<InventoryRow[]> {
    const rows = await tableRows(page.locator("table"))
    return rows
      .map(([product, variant, sku, reserved, stocked]) => ({ product, variant, sku, reserved: Number(reserved), stocked: Number(stocked) }))
      .sort((a, b) => a.sku.localeCompare(b.sku))
  }

  async function openProduct(title: string): Promise<void> {
    await navigate("Products", /\/app\/a\/products(\?|$)/)
    await page.getByText(title, { exact: true }).first().click()
    await page.waitForURL(/\/app\/a\/products\/prod_/)
    await page.getByRole("heading", { name: title }).waitFor()
  }

  /** The variant's actions menu → "Manage inventory", its Inventory section open. */
  async function openManageInventory(sku: string): Promise<Locator> {
    await page.locator("table tbody tr").filter({ hasText: sku }).getByRole("button").click()
    await page.getByRole("menuitem", { name: "Manage inventory" }).click()
    const dialog = page.getByRole("dialog")
    await dialog.getByText("Inventory", { exact: true }).click()
    await dialog.getByRole("button", { name: "Manage locations" }).waitFor()
    return dialog
  }

  /** The dialog's stock per location: the location, what it says about it, and the quantity field. */
  async function dialogLevels(dialog: Locator): Promise<Record<string, { note: string; quantity: string }>> {
    const rows = dialog.locator("div.py-3").filter({ has: page.locator("input[type=number]") })
    const result: Record<string, { note: string; quantity: string }> = {}
    for (const row of await rows.all()) {
      const [name, ...note] = (await row.innerText()).split("\n").map((line) => line.trim()).filter(Boolean)
      result[name] = { note: note.join(", "), quantity: await row.locator("input[type=number]").inputValue() }
    }
    return result
  }

  function levelInput(dialog: Locator, location: string): Locator {
    return dialog.locator("div.py-3").filter({ hasText: location }).locator("input[type=number]")
  }

  /** "Save and close": the levels, then the variant; waits for the dialog's refetch of the variant's inventory. */
  async function saveInventoryDialog(dialog: Locator): Promise<void> {
    const refetched = page.waitForResponse((r) => r.request().method() === "GET" && /\/admin\/variants\/[^/]+\/inventory$/.test(new URL(r.url()).pathname))
    refetched.catch(() => undefined) // awaited below, unless the save fails first
    const saved = await responseTo(page, "POST", /^\/admin\/products\/[^/]+\/variants\/[^/]+$/, () => dialog.getByRole("button", { name: "Save and close" }).click())
    expect(saved.status()).toBe(200)
    await dialog.waitFor({ state: "detached" })
    await refetched
  }

  /** "Manage locations": switches `location` on, then back to the stock form. */
  async function addLocation(dialog: Locator, location: string): Promise<void> {
    await dialog.getByRole("button", { name: "Manage locations" }).click()
    const toggle = dialog.locator("div.py-base").filter({ hasText: location }).getByRole("switch")
    expect(await toggle.getAttribute("aria-checked")).toBe("false")
    await toggle.click()
    await shot("05-manage-locations")
    await dialog.getByRole("button", { name: "Save and go back" }).click()
    await dialog.getByRole("button", { name: "Manage locations" }).waitFor()
  }

  async function readReservations(): Promise<{ sku: string; order: string; description: string; quantity: string }[]> {
    const rows = await tableRows(page.locator("table"))
    // SKU, order (display id), description, created (a date: left out), quantity, actions
    return rows.map(([sku, order, description, _created, quantity]) => ({ sku, order, description, quantity })).sort((a, b) => a.sku.localeCompare(b.sku))
  }

  function reservationRow(description: string): Locator {
    return page.locator("table tbody tr").filter({ hasText: description })
  }

  test(
    "1. logs in with the email/password form",
    step("01-login", async () => {
      await page.goto(`${app.url}/app/login`)
      await page.getByPlaceholder("Email").fill(ADMIN_EMAIL)
      await page.getByPlaceholder("Password").fill(ADMIN_PASSWORD)
      await page.getByRole("button", { name: "Continue" }).click()
      await page.waitForURL(/\/app\/a\/orders/)
      await page.locator("table tbody tr").filter({ hasText: "#1" }).waitFor()
      expect(guard.loggedIn).toBe(true)
      await shot("01-orders")
    })
  )

  test(
    "2. the Inventory page lists the seeded items with their quantities at each location",
    step("02-inventory", async () => {
      // The catalogue as seeded: every variant stocked at the main warehouse, and at the backup
      // one where the catalogue has stock for it (a level of 0 there may or may not exist).
      for (const [, , sku, [main, backup]] of CATALOGUE) {
        expect({ sku, ...seeded[sku] }).toEqual({
          sku,
          [MAIN]: { stocked: main, reserved: demoReserved(subject, sku, MAIN) },
          ...(backup > 0 || BACKUP in seeded[sku] ? { [BACKUP]: { stocked: backup, reserved: demoReserved(subject, sku, BACKUP) } } : {}),
        })
      }
      await navigate("Inventory", /\/app\/a\/inventory/)
      const inventory: Record<string, InventoryRow[]> = {}
      for (const location of [MAIN, BACKUP]) {
        await pickOption(page.locator("main"), location)
        inventory[location] = await eventually(readInventory, (rows) => expect(rows).toEqual(expectedInventory(subject, seeded, location)))
        expect(new URL(page.url()).searchParams.get("location_id")).toBe(locationIds.get(location))
        await shot(`02-inventory-${location === MAIN ? "main" : "backup"}`)
      }
      seen.inventory = Object.fromEntries(Object.entries(inventory).map(([location, rows]) => [location, withoutHoodie(rows)]))
      allocation.inventory = Object.fromEntries(Object.entries(inventory).map(([location, rows]) => [location, rows.find((row) => row.sku === HOODIE.sku)]))
    })
  )

  test(
    "3. searches the inventory by SKU",
    step("03-search", async () => {
      // At the backup warehouse, chosen last.
      const search = page.getByPlaceholder("Search", { exact: true })
      const found: Record<string, InventoryRow[]> = {}
      for (const [query, skus] of [
        ["DEMO-SWEAT", ["DEMO-SWEAT-L", "DEMO-SWEAT-M"]],
        ["DEMO-MUG", ["DEMO-MUG"]],
      ] as const) {
        await search.fill(query)
        const expected = expectedInventory(subject, seeded, BACKUP).filter((row) => (skus as readonly string[]).includes(row.sku))
        found[query] = await eventually(readInventory, (rows) => expect(rows).toEqual(expected))
        await shot(`03-search-${query}`)
      }
      await search.fill("")
      await eventually(readInventory, (rows) => expect(rows).toEqual(expectedInventory(subject, seeded, BACKUP)))
      seen.search = found
    })
  )

  test(
    "4. changes a variant's stocked quantity at a location (Manage inventory)",
    step("04-manage-inventory", async () => {
      await openProduct(CAP.product)
      await shot("04-product")
      const dialog = await openManageInventory(CAP.sku)
      const before = await dialogLevels(dialog)
      const opening = mainStock(CAP.sku)
      expect(before[MAIN]).toEqual({ note: `0 reserved, ${opening} available`, quantity: String(opening) })
      await levelInput(dialog, MAIN).fill(String(CAP.recount))
      await shot("04-manage-inventory")
      await saveInventoryDialog(dialog)
      const stored = await levels(CAP.sku)
      expect(stored[MAIN]).toEqual({ stocked: CAP.recount, reserved: 0 })
      seen.manageInventory = { dialog: before, stored }
    })
  )

  test(
    "5. stocks the variant at another location (Manage locations)",
    step("05-manage-locations", async () => {
      // A location DEMO-CAP has no level at: the backup warehouse, unless the demo catalogue
      // stocks it there. Then a third warehouse opens (through the admin API; the page is
      // reloaded, as the dashboard keeps the list of locations for 90 s). Taking the level at the
      // backup warehouse away first would not do: @medusajs/inventory cannot stock an item again
      // where a level of it was deleted (422 duplicate_error: its unique index counts deleted
      // levels).
      const initial = await levels(CAP.sku)
      let target = BACKUP
      if (BACKUP in initial) {
        target = EXTRA_LOCATION
        const { stock_location } = await api.ok("POST", "/admin/stock-locations", { name: EXTRA_LOCATION, address: { address_1: "2 Demo Street", country_code: "us" } })
        locationIds.set(EXTRA_LOCATION, stock_location.id)
        await page.reload()
        await page.getByRole("heading", { name: CAP.product }).waitFor()
      }
      const dialog = await openManageInventory(CAP.sku)
      const before = await dialogLevels(dialog)
      expect(Object.keys(before)).not.toContain(target)
      await addLocation(dialog, target)
      const added = await dialogLevels(dialog)
      expect(added[target]).toEqual({ note: "0 reserved, 0 available", quantity: "0" })
      await levelInput(dialog, target).fill(String(CAP.newStock))
      await shot("05-manage-inventory-new-location")
      await saveInventoryDialog(dialog)
      const stored = await levels(CAP.sku)
      expect(stored).toEqual({ ...initial, [target]: { stocked: CAP.newStock, reserved: 0 } })
      await shot("05-product")
      seen.manageLocations = { target, before, added, stored }
      addedAt = target
    })
  )

  test(
    "6. the Reservations page shows the demo order's reservations",
    step("06-reservations", async () => {
      await navigate("Inventory", /\/app\/a\/inventory/)
      await page.getByText("Reservations", { exact: true }).click()
      await page.waitForURL(/\/app\/a\/inventory\/reservations/)
      const rows = await eventually(readReservations, (rows) => expect(rows).toEqual(ORDER_ROWS))
      const { reservations } = await api.ok("GET", "/admin/reservations")
      const skuOf = new Map([...(await Promise.all([ORDER_SKU, HOODIE.sku].map(async (sku) => [await itemIdOf(sku), sku] as const)))])
      expect(reservations.map((r: any) => ({ sku: skuOf.get(r.inventory_item_id), location_id: r.location_id, quantity: r.quantity })).sort((a: any, b: any) => a.sku.localeCompare(b.sku))).toEqual([
        { sku: HOODIE.sku, location_id: locationIds.get(subject.hoodieAt), quantity: HOODIE.quantity },
        { sku: ORDER_SKU, location_id: locationIds.get(MAIN), quantity: ORDER_QUANTITY },
      ])
      expect((await levels(ORDER_SKU))[MAIN]).toEqual({ stocked: mainStock(ORDER_SKU), reserved: ORDER_QUANTITY })
      await shot("06-reservations")
      seen.reservations = rows
    })
  )

  test(
    "7. creates, edits and deletes a manual reservation; the level's reserved quantity follows",
    step("07-manual-reservation", async () => {
      const reserved = async () => (await levels(HOLD.sku))[MAIN]
      const trail: Record<string, unknown> = { before: await reserved() }

      // Create
      await page.getByRole("button", { name: "Create reservation" }).click()
      await page.getByText("Reserve Item").waitFor()
      await pickOption(page.locator("div.grid").filter({ hasText: "Choose where you wish to reserve from." }), MAIN)
      await page.getByText("Search by sku...").click()
      await page.keyboard.type(HOLD.sku)
      await page.getByRole("option").filter({ hasText: HOLD.sku }).click()
      await page.locator("input[name='general.quantity']").fill(String(HOLD.quantity))
      await page.getByPlaceholder("Description").fill(HOLD.description)
      await shot("07-reservation-form")
      const created = await responseTo(page, "POST", /^\/admin\/reservations$/, () => page.getByRole("button", { name: "Save reservation" }).click())
      expect(created.status()).toBe(200)
      const holdRow = { sku: HOLD.sku, order: "-", description: HOLD.description }
      // The whole table, not just the new row: while the list reloads it may show a part of it.
      const table = (quantity: number) => [{ ...holdRow, quantity: String(quantity) }, ...ORDER_ROWS].sort((a, b) => a.sku.localeCompare(b.sku))
      trail.created = await eventually(readReservations, (rows) => expect(rows).toEqual(table(HOLD.quantity)))
      expect(await reserved()).toEqual({ stocked: mainStock(HOLD.sku), reserved: HOLD.quantity })
      await shot("07-reservation-created")

      // Edit the quantity
      await reservationRow(HOLD.description).getByRole("button").click()
      await page.getByRole("menuitem", { name: "Edit" }).click()
      await page.getByText("Edit Reservation").waitFor()
      const quantity = page.locator("input[name='item.quantity']")
      await eventually(() => quantity.inputValue(), (value) => expect(value).toBe(String(HOLD.quantity)))
      await quantity.fill(String(HOLD.edited))
      await shot("07-reservation-edit")
      const edited = await responseTo(page, "POST", /^\/admin\/reservations\/[^/]+$/, () => page.getByRole("button", { name: "Save and close" }).click())
      expect(edited.status()).toBe(200)
      trail.edited = await eventually(readReservations, (rows) => expect(rows).toEqual(table(HOLD.edited)))
      expect(await reserved()).toEqual({ stocked: mainStock(HOLD.sku), reserved: HOLD.edited })
      await shot("07-reservation-edited")

      // Delete
      await reservationRow(HOLD.description).getByRole("button").click()
      await page.getByRole("menuitem", { name: "Delete" }).click()
      const deleted = await responseTo(page, "DELETE", /^\/admin\/reservations\/[^/]+$/, () => page.getByRole("button", { name: "Yes, remove" }).click())
      expect(deleted.status()).toBe(200)
      trail.deleted = await eventually(readReservations, (rows) => expect(rows).toEqual(ORDER_ROWS))
      expect(await reserved()).toEqual({ stocked: mainStock(HOLD.sku), reserved: 0 })
      await shot("07-reservation-deleted")
      seen.manualReservation = trail
    })
  )

  test(
    "8. the demo order's page shows each item allocated, and where: the hoodie where the module's allocation reserved it",
    step("08-order", async () => {
      await navigate("Orders", /\/app\/a\/orders/)
      await page.locator("table tbody tr").filter({ hasText: "#1" }).click()
      await page.waitForURL(/\/app\/a\/orders\/order_/)
      await page.getByText("Allocated", { exact: true }).first().waitFor()
      /** The allocation tooltip of the line of `sku`: the reservation's quantity and location. */
      const allocationOf = async (sku: string, quantity: number, location: string) => {
        const line = page.locator("div.h-\\[64px\\]").filter({ hasText: sku })
        // Fully allocated: no red indicator. The page draws the line before its reservations arrive, and
        // marks it unallocated until they do, so wait for the indicator to go rather than read it once.
        await line.waitFor()
        await eventually(() => line.locator("div.text-rose-50").count(), (count) => expect(count).toBe(0))
        await page.getByText("Allocated", { exact: true }).first().hover()
        await line.locator("div.text-grey-40").locator("svg").hover()
        return await eventually(
          async () => (await page.getByRole("tooltip").first().innerText()).replace(/\s+/g, " ").trim(),
          // The dashboard's own text: "{{quantity}} item: ${{locationName}}" (the "$" is its typo).
          (text) => expect(text).toContain(`${quantity} item: $${location}`)
        )
      }
      const tooltip = await allocationOf(ORDER_SKU, ORDER_QUANTITY, MAIN)
      const hoodie = await allocationOf(HOODIE.sku, HOODIE.quantity, subject.hoodieAt)
      expect(hoodie).not.toContain(subject.hoodieAt === MAIN ? BACKUP : MAIN)
      await shot("08-order")
      seen.order = { status: "Allocated", tooltip }
      allocation.order = { hoodie }
    })
  )

  if (subject.name === "ours") {
    test(
      "9. the stock-history widget on the product page shows the changes of steps 4 and 5",
      step("09-stock-history", async () => {
        await openProduct(CAP.product)
        const widget = page.getByTestId("stock-history-widget")
        const item = widget.locator("[data-testid^='stock-history-iitem_']")
        const read = () =>
          item.getByTestId("stock-movement").evaluateAll((rows: any[]) =>
            rows.map((row) => {
              const cell = (id: string) => String(row.querySelector(`[data-testid='${id}']`)?.innerText ?? "").trim()
              return { location: String(row.cells[1].innerText).trim(), reason: cell("stock-movement-reason"), delta: cell("stock-movement-delta"), after: cell("stock-movement-after") }
            })
          )
        const movements = await eventually(read, (rows) => {
          // Newest first: the level made in step 5, the recount of step 4, the opening stock.
          expect(rows[0]).toEqual({ location: addedAt, reason: "level_created", delta: `+${CAP.newStock} stocked`, after: `${CAP.newStock} stocked, 0 reserved` })
          const opening = mainStock(CAP.sku)
          expect(rows).toContainEqual({ location: MAIN, reason: "correction", delta: `+${CAP.recount - opening} stocked`, after: `${CAP.recount} stocked, 0 reserved` })
          expect(rows).toContainEqual({ location: MAIN, reason: "level_created", delta: `+${opening} stocked`, after: `${opening} stocked, 0 reserved` })
        })
        await widget.scrollIntoViewIfNeeded()
        await shot("09-stock-history")
        await widget.screenshot({ path: artifactPath(subject.name, "09-stock-history-widget") })
        seen.stockHistory = movements
      })
    )

    /** The Stock page's table rows (by test id), as text cells. */
    const rowsOf = (testid: string) => tableRows(page.getByTestId(testid))
    /** A level's row in the set-aside table. */
    const levelRow = (sku: string, location: string) => page.locator(`[data-testid='stock-level'][data-sku='${sku}'][data-location='${location}']`)
    const noop = { start: () => undefined, step: () => undefined, stop: () => undefined }

    test(
      "10. the Stock page (sidebar entry) reports low stock with links to the product",
      step("10-stock-low-stock", async () => {
        // The warehouse part of the npm start demo: thresholds, two damaged mugs, a transfer in transit.
        await seedStore(api, app.databaseUrl, noop, { warehouse: true })
        await navigate("Stock", /\/app\/a\/stock/)
        await page.getByTestId("stock-page").waitFor()
        // DEMO-CAP was counted up to 9 in step 4 (threshold 5): only DEMO-SWEAT-M at the backup warehouse (4, threshold 6) is short.
        const rows = await eventually(() => rowsOf("low-stock-table"), (r) => expect(r).toEqual([["DEMO-SWEAT-M", BACKUP, "4", "6"]]))
        await eventually(() => rowsOf("open-transfers"), (r) => expect(r).toHaveLength(1))
        await eventually(() => rowsOf("levels-table"), (r) => expect(r).toHaveLength(10))
        // The page as the npm start demo shows it (the README's screenshot): tall enough for every part.
        await page.getByRole("heading", { name: "Stock", exact: true }).scrollIntoViewIfNeeded()
        await page.setViewportSize({ width: 1440, height: 2600 })
        await shot("10-stock-page")
        await page.setViewportSize({ width: 1440, height: 900 })
        await page.getByTestId("low-stock-row").getByRole("link", { name: "DEMO-SWEAT-M" }).click()
        await page.waitForURL(/\/app\/a\/products\/prod_/)
        await page.getByRole("heading", { name: "Medusa Sweatshirt" }).waitFor()
        await navigate("Stock", /\/app\/a\/stock/)
        seen.stockLowStock = rows
      })
    )

    test(
      "11. transfers: the demo transfer in transit, a transfer through the form, a refusal, and a short receipt",
      step("11-stock-transfers", async () => {
        const { transfer } = DEMO_WAREHOUSE
        await eventually(() => rowsOf("open-transfers"), (r) => expect(r.map((cells) => cells.slice(0, 4))).toEqual([[transfer.sku, MAIN, BACKUP, String(transfer.quantity)]]))
        const mugsBefore = await levels("DEMO-MUG")
        const form = page.getByTestId("transfer-form")
        await form.getByTestId("transfer-item").selectOption({ label: "DEMO-MUG" })
        await form.getByTestId("transfer-from").selectOption({ label: MAIN })
        await form.getByTestId("transfer-to").selectOption({ label: BACKUP })
        await form.getByTestId("transfer-quantity").fill("3")
        await form.getByTestId("transfer-in-transit").uncheck()
        await shot("11-transfer-form")
        const sent = await responseTo(page, "POST", /^\/admin\/stock\/transfers$/, () => form.getByTestId("transfer-submit").click())
        expect(sent.status()).toBe(200)
        await eventually(() => form.getByTestId("transfer-message").innerText(), (text) => expect(text.trim()).toBe("3 unit(s) transferred."))
        expect(await levels("DEMO-MUG")).toEqual({
          [MAIN]: { ...mugsBefore[MAIN], stocked: mugsBefore[MAIN].stocked - 3 },
          [BACKUP]: { ...mugsBefore[BACKUP], stocked: mugsBefore[BACKUP].stocked + 3 },
        })
        await form.getByTestId("transfer-quantity").fill("1000")
        const refused = await responseTo(page, "POST", /^\/admin\/stock\/transfers$/, () => form.getByTestId("transfer-submit").click())
        expect(refused.status()).toBe(409)
        await eventually(() => form.getByTestId("transfer-message").innerText(), (text) => expect(text).toContain(`to transfer 1000 unit(s) to location ${locationIds.get(BACKUP)}: 1000 needed`))

        const shirts = await levels(transfer.sku)
        const open = page.getByTestId("open-transfer")
        await open.getByTestId("receive-quantity").fill(String(transfer.quantity - 1))
        const received = await responseTo(page, "POST", /^\/admin\/stock\/transfers\/[^/]+\/receive$/, () => open.getByTestId("receive-button").click())
        expect(received.status()).toBe(200)
        await page.getByTestId("no-open-transfers").waitFor()
        expect((await levels(transfer.sku))[BACKUP]).toEqual({ stocked: shirts[BACKUP].stocked + transfer.quantity - 1, reserved: 0 })
        await shot("11-transfer-received")
        seen.stockTransfers = { received: transfer.quantity - 1 }
      })
    )

    test(
      "12. sets units aside per level, returns them to stock, and shows a refusal",
      step("12-stock-set-aside", async () => {
        await page.getByTestId("levels-search").fill("DEMO-MUG")
        const unavailable = (location: string) => levelRow("DEMO-MUG", location).getByTestId("level-unavailable").innerText()
        await eventually(() => unavailable(MAIN), (text) => expect(text).toBe(`${DEMO_WAREHOUSE.damaged.quantity} / 0 / 0`))
        const apply = async (location: string, action: string, state: string, quantity: number) => {
          const row = levelRow("DEMO-MUG", location)
          await row.getByTestId("level-action").selectOption(action)
          await row.getByTestId("level-state").selectOption(state)
          await row.getByTestId("level-quantity").fill(String(quantity))
          return await responseTo(page, "POST", /\/location-levels\/[^/]+\/(set-aside|release)$/, () => row.getByTestId("level-apply").click())
        }
        const backupBefore = (await levels("DEMO-MUG"))[BACKUP]
        expect((await apply(BACKUP, "set-aside", "quality_control", 1)).status()).toBe(200)
        await eventually(() => unavailable(BACKUP), (text) => expect(text).toBe("0 / 1 / 0"))
        expect((await levels("DEMO-MUG"))[BACKUP]).toEqual({ ...backupBefore, stocked: backupBefore.stocked - 1 })
        expect((await apply(MAIN, "return", "damaged", 1)).status()).toBe(200)
        await eventually(() => unavailable(MAIN), (text) => expect(text).toBe("1 / 0 / 0"))
        expect((await apply(MAIN, "discard", "damaged", 5)).status()).toBe(409)
        await eventually(() => levelRow("DEMO-MUG", MAIN).getByTestId("level-error").innerText(), (text) => expect(text).toContain("Cannot release 5 damaged unit(s)"))
        await shot("12-set-aside")
        seen.stockSetAside = { main: await unavailable(MAIN), backup: await unavailable(BACKUP) }
      })
    )

    test(
      "13. uploads a cycle count: the diff, applied; a count gone stale is refused naming its row; a bad row by its line",
      step("13-stock-count", async () => {
        const main = locationIds.get(MAIN)!
        const upload = async (name: string, csv: string) => {
          const response = responseTo(page, "POST", /^\/admin\/stock\/counts\/preview$/, () =>
            page.getByTestId("count-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv) })
          )
          return await response
        }
        const cap = (await levels("DEMO-CAP"))[MAIN].stocked
        expect((await upload("count-1.csv", `sku,location_id,counted\nDEMO-CAP,${main},12\nDEMO-SHIRT-L,${main},15\n`)).status()).toBe(200)
        const diff = await eventually(() => rowsOf("count-diff-table"), (r) => expect(r).toHaveLength(2))
        expect(diff).toEqual([
          ["2", "DEMO-CAP", main, String(cap), "12", `+${12 - cap}`],
          ["3", "DEMO-SHIRT-L", main, "15", "15", "0"],
        ])
        await shot("13-count-diff")
        const applied = await responseTo(page, "POST", /^\/admin\/stock\/counts\/apply$/, () => page.getByTestId("count-apply").click())
        expect(applied.status()).toBe(200)
        await eventually(() => page.getByTestId("count-message").innerText(), (text) => expect(text.trim()).toBe("Applied count-1.csv: 1 level(s) changed."))
        expect((await levels("DEMO-CAP"))[MAIN].stocked).toBe(12)

        const mug = (await levels("DEMO-MUG"))[MAIN].stocked
        await upload("count-2.csv", `sku,location_id,counted\nDEMO-MUG,${main},40\n`)
        await page.getByTestId("count-diff").waitFor()
        const { inventory_items } = await api.ok("GET", "/admin/inventory-items?sku=DEMO-MUG")
        await api.ok("POST", `/admin/inventory-items/${inventory_items[0].id}/location-levels/${main}/stock`, { adjust: -1, reason: "sale" })
        const stale = await responseTo(page, "POST", /^\/admin\/stock\/counts\/apply$/, () => page.getByTestId("count-apply").click())
        expect(stale.status()).toBe(409)
        await eventually(() => page.getByTestId("count-message").innerText(), (text) => expect(text).toContain(`line 2: DEMO-MUG — the diff showed ${mug}, it is now ${mug - 1}`))
        expect((await levels("DEMO-MUG"))[MAIN].stocked).toBe(mug - 1)

        expect((await upload("count-3.csv", `sku,location_id,counted\nDEMO-CAP,${main},1\nNO-SUCH-SKU,${main},2\n`)).status()).toBe(400)
        await eventually(() => page.getByTestId("count-message").innerText(), (text) => expect(text).toContain('line 3: unknown sku "NO-SUCH-SKU"'))
        await shot("13-count-refused")
        seen.stockCount = diff
      })
    )

    test(
      "14. the movement log across items: filters by reason, sku, location and date, and pages",
      step("14-stock-movements", async () => {
        const log = page.getByTestId("stock-movements")
        const cells = async () => (await rowsOf("movements-table")).map(([, sku, location, reason, change]) => [sku, location, reason, change])
        await log.getByTestId("filter-reason").selectOption("transfer_loss")
        await eventually(cells, (r) => expect(r).toEqual([[DEMO_WAREHOUSE.transfer.sku, BACKUP, "transfer_loss", "-1 incoming"]]))
        await log.getByTestId("filter-reason").selectOption("set_aside")
        await log.getByTestId("filter-sku").fill("DEMO-MUG")
        await eventually(cells, (r) =>
          expect(r).toEqual([
            ["DEMO-MUG", BACKUP, "set_aside (quality_control)", "-1 stocked, +1 quality control"],
            ["DEMO-MUG", MAIN, "set_aside (damaged)", "-2 stocked, +2 damaged"],
          ])
        )
        await log.getByTestId("filter-location").selectOption({ label: BACKUP })
        await eventually(cells, (r) => expect(r).toHaveLength(1))
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
        await log.getByTestId("filter-from").fill(tomorrow)
        await eventually(cells, (r) => expect(r).toEqual([]))
        for (const filter of ["filter-from", "filter-sku"]) await log.getByTestId(filter).fill("")
        await log.getByTestId("filter-reason").selectOption("")
        await log.getByTestId("filter-location").selectOption("")
        const first = await eventually(() => rowsOf("movements-table"), (r) => expect(r).toHaveLength(10))
        await eventually(() => log.getByTestId("movements-pager").innerText(), (text) => expect(text).toContain("1–10 of"))
        await log.getByTestId("movements-pager").getByRole("button", { name: "Next" }).click()
        await eventually(() => log.getByTestId("movements-pager").innerText(), (text) => expect(text).toContain("11–"))
        const second = await eventually(() => rowsOf("movements-table"), (r) => expect(r).not.toEqual(first))
        expect(second.length).toBeGreaterThan(0)
        await log.getByTestId("movements-pager").getByRole("button", { name: "Previous" }).click()
        await page.mouse.wheel(0, -100_000)
        await page.screenshot({ path: artifactPath(subject.name, "14-stock-page-full"), fullPage: true })
        seen.stockMovements = true
      })
    )
  } else {
    test(
      "9. the stock-history widget has no route to read (the plugin is not registered)",
      step("09-stock-history", async () => {
        await openProduct(CAP.product)
        const widget = page.getByTestId("stock-history-widget")
        await widget.getByText("The stock history could not be loaded.").waitFor()
        expect(guard.failedRequests.filter((r) => /\/movements/.test(r.url)).every((r) => r.status === 404)).toBe(true)
        await widget.scrollIntoViewIfNeeded()
        await shot("09-stock-history")
      })
    )
  }
})

describe("both modules", () => {
  test("10. the dashboard showed and stored the same on this module as on @medusajs/inventory", () => {
    expect(Object.keys(observed).sort()).toEqual(["official", "ours"])
    // The stock-history widget and the Stock page exist on this module only.
    const { stockHistory: _h, stockLowStock: _l, stockTransfers: _t, stockSetAside: _s, stockCount: _c, stockMovements: _m, ...ours } = observed.ours
    expect(observed.official).toEqual(ours)
    // Every step observed something on both (a module whose run stopped early would not).
    expect(Object.keys(ours).sort()).toEqual(["inventory", "manageInventory", "manageLocations", "manualReservation", "order", "reservations", "search"])
  })

  test("11. the one difference by design: the official module reserved the hoodie at the empty main warehouse, this module (most-available) at the backup one", () => {
    const hoodieRow = (reserved: number, stocked: number) => ({ product: "Medusa Hoodie", variant: "One size", sku: HOODIE.sku, reserved, stocked })
    expect(allocated).toEqual({
      official: { inventory: { [MAIN]: hoodieRow(1, 0), [BACKUP]: hoodieRow(0, 6) }, order: { hoodie: expect.stringContaining(`1 item: $${MAIN}`) } },
      ours: { inventory: { [MAIN]: hoodieRow(0, 0), [BACKUP]: hoodieRow(1, 6) }, order: { hoodie: expect.stringContaining(`1 item: $${BACKUP}`) } },
    })
  })
})
