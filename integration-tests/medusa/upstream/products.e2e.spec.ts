import { Api } from "../medusa-app"
import { SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 tests
 * `integration-tests/plugins/__tests__/inventory/products/{create-variant,delete-variant,
 * get-product,get-variant,list-products,list-variants}.js` (medusajs/medusa, branch v1.x): the
 * product and variant routes of a running Medusa 1.20.11 app that make and remove inventory
 * items, and decorate variants with `inventory_items`, `inventory_quantity` and `purchasable`.
 * Our own test code, run on this module and on @medusajs/inventory@1.11.7, which must both pass.
 * One describe block per upstream file.
 *
 * Upstream seeds with factories on a fresh database; here every test makes its own products,
 * skus, stock locations and sales channels through the admin API (and, where upstream calls a
 * container service, through the test driver's `call`), and reads back only its own rows.
 *
 * Where the shared app differs from upstream's fresh database:
 * - Upstream's store tests run where the factories made the "default" sales channel (get-product,
 *   get-variant, list-variants) or where none exists at all (list-products: its teardown wiped
 *   the store's default channel, so `/store/products` gets no sales channel). Here the store's
 *   default channel always exists, so the first group links its own location to that channel
 *   (as `setupStore` does); the "no sales channel" case of list-products is reached through a
 *   publishable API key scoped to no sales channel, which also keeps Medusa from attaching the
 *   default channel to the request.
 * - Upstream's global list assertions (`/admin/products`, `/admin/variants`, `/store/products`)
 *   are scoped by the test's own ids (`id[]=`, `id=`, `ids=`) and matched by product id.
 *
 * Left out, and why:
 * - create-variant, "When creating a new variant fails, it should revert all the transaction":
 *   upstream makes `attachInventoryItem` fail with a jest mock and counts calls of
 *   `ProductVariantService.delete`; a running app cannot be mocked. The same route fails here for
 *   a real reason in the inventory step (an inventory item with the variant's sku already
 *   exists: `createInventoryItem` fails instead of `attachInventoryItem`), and the test checks
 *   the outcome upstream wants: a 400 with the failure's message and no variant, item or link
 *   left behind. The call count of `ProductVariantService.delete` is not observable; the
 *   compensation's own error in the answer shows it ran.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

interface VariantInput {
  sku?: string
  manage_inventory?: boolean
  allow_backorder?: boolean
  inventory_quantity?: number
}

/** A product with one option ("Size") and the given variants; its variants are in `product.variants`. */
async function createProduct(admin: Api, variants: VariantInput[], extra: Record<string, unknown> = {}): Promise<any> {
  const { product } = await admin.ok("POST", "/admin/products", {
    title: unique("Product"),
    options: [{ title: "Size" }],
    variants: variants.map((variant, index) => ({
      title: `Variant ${index}`,
      prices: [{ currency_code: "usd", amount: 100 }],
      options: [{ value: `Value ${index}` }],
      ...variant,
    })),
    ...extra,
  })
  return product
}

/** The inventory item Medusa made for a managed variant with this sku. */
async function itemOfSku(admin: Api, sku: string): Promise<any> {
  const { inventory_items } = await admin.ok("GET", `/admin/inventory-items?sku=${encodeURIComponent(sku)}`)
  expect(inventory_items).toHaveLength(1)
  return inventory_items[0]
}

async function createLocation(admin: Api): Promise<string> {
  const { stock_location } = await admin.ok("POST", "/admin/stock-locations", { name: unique("Location") })
  return stock_location.id
}

async function createSalesChannel(admin: Api): Promise<string> {
  const { sales_channel } = await admin.ok("POST", "/admin/sales-channels", { name: unique("Channel") })
  return sales_channel.id
}

async function linkLocation(admin: Api, salesChannelId: string, locationId: string): Promise<void> {
  await admin.ok("POST", `/admin/sales-channels/${salesChannelId}/stock-locations`, { location_id: locationId })
}

async function stock(admin: Api, itemId: string, locationId: string, quantity: number): Promise<void> {
  await admin.ok("POST", `/admin/inventory-items/${itemId}/location-levels`, {
    location_id: locationId,
    stocked_quantity: quantity,
  })
}

async function defaultSalesChannelId(admin: Api): Promise<string> {
  const { store } = await admin.ok("GET", "/admin/store")
  return store.default_sales_channel_id
}

/** A GET on the store API with extra headers (`Api` sends none). */
async function storeGet(app: SharedApp, route: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}${route}`, { headers })
  return { status: response.status, body: await response.json() }
}

const byId = (rows: any[]): Record<string, any> => Object.fromEntries(rows.map((row) => [row.id, row]))

describe.each(MODULES)("product routes and inventory (%s)", (name) => {
  let app: SharedApp
  let admin: Api

  /** `service.method(...args)` in the app; throws what it threw, as `call` reports it. */
  const call = async <T = any>(service: string, method: string, ...args: unknown[]): Promise<T> => {
    const outcome = await app.call<T>(service, method, args)
    if (outcome.error) throw new Error(outcome.error.message)
    return outcome.result as T
  }
  const itemsOfVariant = (variantId: string) =>
    call<any[]>("productVariantInventoryService", "listInventoryItemsByVariant", variantId)

  beforeAll(async () => {
    app = await sharedApp(name)
    admin = await app.admin()
  })

  // Upstream: products/create-variant.js
  describe("create-variant: POST /admin/products/:id/variants", () => {
    const variantBody = (sku: string, optionId: string) => ({
      title: "Test Variant w. inventory",
      sku,
      material: "material",
      origin_country: "UK",
      hs_code: "hs001",
      mid_code: "mids",
      weight: 300,
      length: 100,
      height: 200,
      width: 150,
      manage_inventory: true,
      options: [{ option_id: optionId, value: "SS" }],
      prices: [{ currency_code: "usd", amount: 2300 }],
    })

    it("a new managed variant gets one inventory item carrying its shipping details", async () => {
      const product = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: false }])
      const sku = unique("sku")
      const { status, body } = await admin.request(
        "POST",
        `/admin/products/${product.id}/variants`,
        variantBody(sku, product.options[0].id)
      )
      expect(status).toBe(200)
      const created = body.product.variants.find((v: any) => v.id !== product.variants[0].id)
      expect(created).toEqual(expect.objectContaining({ sku }))

      const items = await itemsOfVariant(created.id)
      expect(items).toEqual([
        expect.objectContaining({
          sku,
          material: "material",
          origin_country: "UK",
          hs_code: "hs001",
          mid_code: "mids",
          weight: 300,
          length: 100,
          height: 200,
          width: 150,
        }),
      ])
    })

    it("when the inventory step fails, the request answers 400 and leaves no variant, item or link", async () => {
      const product = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: false }])
      // An inventory item that already holds the sku the new variant will ask for: Medusa creates
      // the variant, then the module refuses the second item with that sku (unique index).
      const sku = unique("sku")
      const existing = await app.inventory("createInventoryItem", { sku })

      const { status, body } = await admin.request(
        "POST",
        `/admin/products/${product.id}/variants`,
        variantBody(sku, product.options[0].id)
      )
      expect(status).toBe(400)
      expect(body.type).toBe("invalid_data")
      // Medusa's createVariantsTransaction answers INVALID_DATA with the failed steps' messages,
      // one a line: the inventory step's, then the compensation's (deleting the new variant),
      // which fails with either module because the unique violation aborted Medusa's database
      // transaction; rolling that transaction back is what removes the variant.
      // The official module lets the driver's unique violation through; this module answers a
      // DUPLICATE_ERROR with the driver's message (README: Behaviour, database failures), so the
      // response is the same.
      const aborted = "current transaction is aborted, commands ignored until end of transaction block"
      expect(body.message).toBe(`duplicate key value violates unique constraint "IDX_inventory_item_sku"\n${aborted}`)

      // Reverted: the product keeps only its first variant, no variant has the sku, and the
      // only item with the sku is the one made before, attached to no variant.
      const { product: after } = await admin.ok("GET", `/admin/products/${product.id}`)
      expect(after.variants.map((v: any) => v.id)).toEqual([product.variants[0].id])
      expect(await call("productVariantService", "list", { sku })).toEqual([])
      const { inventory_items, count } = await admin.ok("GET", `/admin/inventory-items?sku=${sku}`)
      expect(count).toBe(1)
      expect(inventory_items).toEqual([expect.objectContaining({ id: existing.id, sku, variants: [] })])
    })
  })

  // Upstream: products/delete-variant.js
  describe("delete-variant: DELETE /admin/products/:id/variants/:variant_id", () => {
    it("deleting a variant removes its links to every inventory item", async () => {
      const product = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: false }])
      const sku = unique("sku")
      const { product: withVariant } = await admin.ok("POST", `/admin/products/${product.id}/variants`, {
        title: "Test Variant w. inventory",
        sku,
        manage_inventory: true,
        options: [{ option_id: product.options[0].id, value: "SS" }],
        prices: [{ currency_code: "usd", amount: 2300 }],
      })
      const variantId = withVariant.variants.find((v: any) => v.sku === sku).id
      const first = await itemOfSku(admin, sku)

      const second = await app.inventory("createInventoryItem", { sku: unique("sku") })
      await call("productVariantInventoryService", "attachInventoryItem", variantId, second.id, 2)
      expect((await itemsOfVariant(variantId)).map((i) => i.id).sort()).toEqual([first.id, second.id].sort())

      const deleted = await admin.ok("DELETE", `/admin/products/${product.id}/variants/${variantId}`)
      expect(deleted).toEqual(expect.objectContaining({ variant_id: variantId, object: "product-variant", deleted: true }))

      const outcome = await app.call("productVariantService", "retrieve", [variantId])
      expect(outcome.error?.message).toBe(`Variant with id: ${variantId} was not found`)
      expect(await itemsOfVariant(variantId)).toEqual([])
      expect(await call("productVariantInventoryService", "listByItem", [first.id, second.id])).toEqual([])
    })
  })

  // Upstream: products/get-product.js
  describe("get-product: GET /store/products/:id and /admin/products/:id", () => {
    let product: any
    let variantId: string
    let item: any

    beforeEach(async () => {
      // A published product in the store's default sales channel (Medusa adds it there), whose
      // one managed variant has 100 in stock at a location of that channel.
      const sku = unique("sku")
      product = await createProduct(admin, [{ sku, manage_inventory: true }], { status: "published" })
      variantId = product.variants[0].id
      const locationId = await createLocation(admin)
      await linkLocation(admin, await defaultSalesChannelId(admin), locationId)
      item = await itemOfSku(admin, sku)
      await stock(admin, item.id, locationId, 100)
    })

    it("store: expand=variants,variants.inventory_items returns the variant's inventory item link", async () => {
      const store = app.anonymous()
      const { status, body } = await store.request("GET", `/store/products/${product.id}?expand=variants,variants.inventory_items`)
      expect(status).toBe(200)
      expect(body.product).toEqual(
        expect.objectContaining({
          id: product.id,
          variants: [
            expect.objectContaining({
              id: variantId,
              inventory_items: [expect.objectContaining({ inventory_item_id: item.id, variant_id: variantId })],
            }),
          ],
        })
      )
    })

    it("admin: the variant's inventory_quantity is its stock at the sales channels' locations", async () => {
      const { status, body } = await admin.request("GET", `/admin/products/${product.id}`)
      expect(status).toBe(200)
      expect(body.product).toEqual(
        expect.objectContaining({
          id: product.id,
          variants: [expect.objectContaining({ id: variantId, inventory_quantity: 100 })],
        })
      )
    })
  })

  // Upstream: products/get-variant.js
  describe("get-variant: GET /store/variants/:id", () => {
    let variantId: string
    let item: any
    let locationId: string

    beforeEach(async () => {
      const sku = unique("sku")
      const product = await createProduct(admin, [{ sku, manage_inventory: true }], { status: "published" })
      variantId = product.variants[0].id
      locationId = await createLocation(admin)
      item = await itemOfSku(admin, sku)
    })

    it("expand=inventory_items returns the variant's inventory item link", async () => {
      const { status, body } = await app.anonymous().request("GET", `/store/variants/${variantId}?expand=inventory_items`)
      expect(status).toBe(200)
      expect(body.variant).toEqual(
        expect.objectContaining({
          id: variantId,
          inventory_items: [expect.objectContaining({ inventory_item_id: item.id, variant_id: variantId })],
        })
      )
    })

    it("availability: stock at a location of the default sales channel makes it purchasable", async () => {
      await linkLocation(admin, await defaultSalesChannelId(admin), locationId)
      await stock(admin, item.id, locationId, 10)

      const { status, body } = await app.anonymous().request("GET", `/store/variants/${variantId}`)
      expect(status).toBe(200)
      expect(body).toEqual({
        variant: expect.objectContaining({ id: variantId, purchasable: true, inventory_quantity: 10 }),
      })
    })
  })

  // Upstream: products/list-products.js
  describe("list-products: GET /admin/products and /store/products", () => {
    let mainProductId: string
    let mainVariantId: string
    let mainItemId: string
    let sc2: string

    beforeEach(async () => {
      // The main product: one managed variant, in no sales channel, whose item has 3 at sl1 and
      // 1 at sl2; sl1 is linked to sc1 and sc2, sl2 to sc2, sc3 has no location.
      const sku = unique("sku")
      const product = await createProduct(admin, [{ sku, manage_inventory: true }], { status: "published" })
      mainProductId = product.id
      mainVariantId = product.variants[0].id
      await admin.ok("DELETE", `/admin/sales-channels/${await defaultSalesChannelId(admin)}/products/batch`, {
        product_ids: [{ id: mainProductId }],
      })

      const sc1 = await createSalesChannel(admin)
      sc2 = await createSalesChannel(admin)
      await createSalesChannel(admin)
      const sl1 = await createLocation(admin)
      const sl2 = await createLocation(admin)
      await linkLocation(admin, sc1, sl1)
      await linkLocation(admin, sc2, sl1)
      await linkLocation(admin, sc2, sl2)

      mainItemId = (await itemOfSku(admin, sku)).id
      await stock(admin, mainItemId, sl1, 3)
      await stock(admin, mainItemId, sl2, 1)
    })

    it("admin: inventory_quantity sums the item's levels over the locations of all sales channels", async () => {
      // sl1 belongs to two channels and still counts once: 3 + 1.
      const { status, body } = await admin.request("GET", `/admin/products?id[]=${mainProductId}`)
      expect(status).toBe(200)
      expect(body.products).toEqual([
        expect.objectContaining({
          id: mainProductId,
          variants: [expect.objectContaining({ id: mainVariantId, inventory_quantity: 4 })],
        }),
      ])
    })

    describe("/store/products", () => {
      // main: managed, item stocked 3 + 1 (see above)
      // p1: not managed, inventory_quantity 10 on the variant itself
      // p2: managed, no inventory item
      // p3: managed, backorders allowed, an item with no level
      // p4: managed, no backorders, an item with no level
      let p1: any
      let p2: any
      let p3: any
      let p4: any
      let ids: string[]
      let noChannelKey: string

      beforeEach(async () => {
        p1 = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: false, inventory_quantity: 10 }], { status: "published" })
        const p2Sku = unique("sku")
        p2 = await createProduct(admin, [{ sku: p2Sku, manage_inventory: true }], { status: "published" })
        // Medusa made an item for p2's managed variant; deleting it through the admin API also
        // detaches it, which leaves a managed variant without inventory items, as upstream has.
        await admin.ok("DELETE", `/admin/inventory-items/${(await itemOfSku(admin, p2Sku)).id}`)
        p3 = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: true, allow_backorder: true }], { status: "published" })
        p4 = await createProduct(admin, [{ sku: unique("sku"), manage_inventory: true, allow_backorder: false }], { status: "published" })
        ids = [mainProductId, p1.id, p2.id, p3.id, p4.id]
        await admin.ok("DELETE", `/admin/sales-channels/${await defaultSalesChannelId(admin)}/products/batch`, {
          product_ids: ids.slice(1).map((id) => ({ id })),
        })
        const { publishable_api_key } = await admin.ok("POST", "/admin/publishable-api-keys", { title: unique("Key") })
        noChannelKey = publishable_api_key.id
      })

      const idsQuery = () => ids.map((id) => `id[]=${id}`).join("&")

      it("expand=variants,variants.inventory_items returns each variant's inventory item links", async () => {
        const { status, body } = await storeGet(app, `/store/products?${idsQuery()}&expand=variants,variants.inventory_items`, {
          "x-publishable-api-key": noChannelKey,
        })
        expect(status).toBe(200)
        const products = byId(body.products)
        expect(Object.keys(products).sort()).toEqual([...ids].sort())
        const links = (productId: string) => products[productId].variants[0].inventory_items
        expect(links(mainProductId)).toEqual([expect.objectContaining({ inventory_item_id: mainItemId, variant_id: mainVariantId })])
        expect(links(p3.id)).toEqual([expect.objectContaining({ variant_id: p3.variants[0].id })])
        expect(links(p4.id)).toEqual([expect.objectContaining({ variant_id: p4.variants[0].id })])
        expect(links(p1.id)).toEqual([])
        expect(links(p2.id)).toEqual([])
      })

      it("without a sales channel, only variants without inventory items are purchasable", async () => {
        const { status, body } = await storeGet(app, `/store/products?${idsQuery()}`, { "x-publishable-api-key": noChannelKey })
        expect(status).toBe(200)
        const products = byId(body.products)
        expect(Object.keys(products).sort()).toEqual([...ids].sort())
        const variant = (productId: string) => products[productId].variants[0]
        expect(variant(p4.id)).toEqual(expect.objectContaining({ purchasable: false }))
        expect(variant(p3.id)).toEqual(expect.objectContaining({ purchasable: false }))
        expect(variant(p2.id)).toEqual(expect.objectContaining({ purchasable: true }))
        expect(variant(p1.id)).toEqual(expect.objectContaining({ purchasable: true, inventory_quantity: 10 }))
        expect(variant(mainProductId)).toEqual(expect.objectContaining({ purchasable: false }))
        // Medusa drops the quantity of a variant with items when it has no channel to count in.
        expect(variant(mainProductId)).not.toHaveProperty("inventory_quantity")
      })

      it("with sales_channel_id, quantities count the channel's locations and decide purchasable", async () => {
        for (const id of ids) {
          await admin.ok("POST", `/admin/products/${id}`, { sales_channels: [{ id: sc2 }] })
        }
        const { status, body } = await app.anonymous().request("GET", `/store/products?sales_channel_id[]=${sc2}&${idsQuery()}`)
        expect(status).toBe(200)
        const products = byId(body.products)
        expect(Object.keys(products).sort()).toEqual([...ids].sort())
        const variant = (productId: string) => products[productId].variants[0]
        expect(variant(p4.id)).toEqual(expect.objectContaining({ purchasable: false, inventory_quantity: 0 }))
        expect(variant(p3.id)).toEqual(expect.objectContaining({ purchasable: true, inventory_quantity: 0 }))
        expect(variant(p2.id)).toEqual(expect.objectContaining({ purchasable: true }))
        expect(variant(p1.id)).toEqual(expect.objectContaining({ purchasable: true, inventory_quantity: 10 }))
        expect(variant(mainProductId)).toEqual(expect.objectContaining({ purchasable: true, inventory_quantity: 4 }))
      })
    })
  })

  // Upstream: products/list-variants.js
  describe("list-variants: GET /admin/variants and /store/variants", () => {
    let variantId: string
    let itemId: string

    beforeEach(async () => {
      // A product in the default sales channel; its managed variant has 10 at a location of it.
      const sku = unique("sku")
      const product = await createProduct(admin, [{ sku, manage_inventory: true }])
      variantId = product.variants[0].id
      const locationId = await createLocation(admin)
      await linkLocation(admin, await defaultSalesChannelId(admin), locationId)
      itemId = (await itemOfSku(admin, sku)).id
      await stock(admin, itemId, locationId, 10)
    })

    it("admin: variants are decorated with inventory_quantity", async () => {
      const { status, body } = await admin.request("GET", `/admin/variants?id=${variantId}`)
      expect(status).toBe(200)
      expect(body.variants).toEqual([expect.objectContaining({ id: variantId, inventory_quantity: 10 })])
    })

    it("admin: expand=inventory_items returns the variant's inventory item link", async () => {
      const { status, body } = await admin.request("GET", `/admin/variants?id=${variantId}&expand=inventory_items`)
      expect(status).toBe(200)
      expect(body.variants).toEqual([
        expect.objectContaining({
          id: variantId,
          inventory_items: [expect.objectContaining({ inventory_item_id: itemId, variant_id: variantId })],
        }),
      ])
    })

    it("store: the default sales channel's stock makes the variant purchasable", async () => {
      const { status, body } = await app.anonymous().request("GET", `/store/variants?ids=${variantId}`)
      expect(status).toBe(200)
      expect(body).toEqual({
        variants: [expect.objectContaining({ id: variantId, purchasable: true, inventory_quantity: 10 })],
      })
    })
  })
})
