import { Api } from "../medusa-app"
import { SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 test
 * `integration-tests/plugins/__tests__/inventory/reservation-items/index.js` (medusajs/medusa,
 * branch v1.x): the admin reservations routes (`POST /admin/reservations`,
 * `POST /admin/reservations/:id`, `GET /admin/reservations` with its filters and expansions) of
 * a running Medusa 1.20.11 app. Our own test code, run on this module and on
 * @medusajs/inventory@1.11.7, which must both pass. No upstream behaviour is left out.
 *
 * How upstream's seed is reproduced on an app shared by every test file of the run:
 * - Upstream's factories insert an order whose line item has no reservation, then reserve it by
 *   hand (`inventoryService.createReservationItem`, 2 of the item at the location). Here the
 *   order is a real one, from a completed store cart, and Medusa itself makes that very
 *   reservation when it places the order; each test checks it is there and uses it.
 * - Upstream's inventory item is created and attached to the variant by hand; here Medusa makes
 *   and attaches it when the admin creates the product with a managed variant. Its level (100 at
 *   the location) is created through `inventoryService.createInventoryLevel`, as upstream does.
 * - The second order of the list tests is a real order too, so Medusa reserves its line item as
 *   well; that reservation (which upstream's factory order does not have) is deleted through
 *   `DELETE /admin/reservations/:id` before the one upstream makes is created.
 * - Each test makes its own sales channel, stock locations, product and items. Upstream's
 *   global counts (e.g. "2 reservations in all") are asserted on the reservations at this
 *   test's own locations (`location_id[]=` both of them) instead: other files' rows are not ours.
 * - A country belongs to one region at a time, so each module's app gets one region (with a
 *   country no other region holds) and one shipping option for this file, shared by its tests
 *   and deleted after them.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

const QUANTITY_ERROR = {
  type: "invalid_data",
  message: "The reservation quantity cannot be greater than the unfulfilled line item quantity",
}

// Countries for this file's region, one of which no other region of the shared app holds yet.
const SPARE_COUNTRIES = ["is", "mt", "lu", "ee", "lv", "lt", "si", "sk", "hr", "cy", "li", "mc", "sm", "ad", "fo", "gl", "gi", "al", "ba", "me", "mk", "md", "ge", "am", "az", "kz", "uz", "kg", "mn", "bt", "np", "lk", "mv", "bn", "fj", "ws", "to", "vu", "pw", "tv"]

interface Shop {
  regionId: string
  shippingOptionId: string
  country: string
}

/** A region (manual payment and fulfilment, no tax) with one country of its own, and a free shipping option. */
async function openShop(admin: Api): Promise<Shop> {
  const { regions } = await admin.ok("GET", "/admin/regions?limit=1000")
  const taken = new Set<string>(regions.flatMap((r: any) => r.countries.map((c: any) => c.iso_2)))
  const candidates = SPARE_COUNTRIES.filter((code) => !taken.has(code)).sort(() => Math.random() - 0.5)
  for (const country of candidates) {
    const created = await admin.request("POST", "/admin/regions", {
      name: unique("Region"),
      currency_code: "usd",
      tax_rate: 0,
      payment_providers: ["manual"],
      fulfillment_providers: ["manual"],
      countries: [country],
    })
    // Another file may have taken the country since: try the next one.
    if (/already exists in region/.test(created.body?.message ?? "")) continue
    if (created.status >= 300) throw new Error(`POST /admin/regions answered ${created.status}: ${JSON.stringify(created.body)}`)
    const regionId = created.body.region.id
    const { shipping_option } = await admin.ok("POST", "/admin/shipping-options", {
      name: unique("Shipping"),
      region_id: regionId,
      provider_id: "manual",
      data: {},
      price_type: "flat_rate",
      amount: 0,
    })
    return { regionId, shippingOptionId: shipping_option.id, country }
  }
  throw new Error("no spare country left for a region of its own")
}

describe.each(MODULES)("admin reservations routes (%s)", (name) => {
  let app: SharedApp
  let admin: Api
  let store: Api
  let shop: Shop

  // Upstream's seed, made again for each test.
  let salesChannelId: string
  let locationId: string
  let variantId: string
  let inventoryItemId: string
  let orderId: string
  let lineItemId: string
  let reservation: any

  const inventory = <T = any>(method: string, ...args: unknown[]) => app.inventory<T>(method, ...args)

  async function stockLocationInChannel(label: string): Promise<string> {
    const { stock_location } = await admin.ok("POST", "/admin/stock-locations", { name: `${label} ${unique("at")}` })
    await admin.ok("POST", `/admin/sales-channels/${salesChannelId}/stock-locations`, { location_id: stock_location.id })
    return stock_location.id
  }

  /** An order placed through the store API: `quantity` of the variant, in this test's sales channel. */
  async function placeOrder(quantity: number): Promise<any> {
    const { cart } = await store.ok("POST", "/store/carts", { region_id: shop.regionId, sales_channel_id: salesChannelId })
    await store.ok("POST", `/store/carts/${cart.id}/line-items`, { variant_id: variantId, quantity })
    await store.ok("POST", `/store/carts/${cart.id}`, {
      email: "buyer@e2e.test",
      shipping_address: { first_name: "E", last_name: "Two", address_1: "1 Main St", city: "Town", country_code: shop.country, postal_code: "1000" },
    })
    await store.ok("POST", `/store/carts/${cart.id}/shipping-methods`, { option_id: shop.shippingOptionId })
    await store.ok("POST", `/store/carts/${cart.id}/payment-sessions`)
    await store.ok("POST", `/store/carts/${cart.id}/payment-session`, { provider_id: "manual" })
    const completed = await store.ok("POST", `/store/carts/${cart.id}/complete`)
    expect(completed.type).toBe("order")
    return completed.data
  }

  async function reservationsOf(lineItem: string): Promise<any[]> {
    const { reservations } = await admin.ok("GET", `/admin/reservations?line_item_id[]=${lineItem}`)
    return reservations
  }

  beforeAll(async () => {
    app = await sharedApp(name)
    admin = await app.admin()
    store = app.anonymous()
    shop = await openShop(admin)
  })

  afterAll(async () => {
    // Gives the region's country back for other files' regions.
    if (shop) await admin.ok("DELETE", `/admin/regions/${shop.regionId}`)
  })

  beforeEach(async () => {
    const { sales_channel } = await admin.ok("POST", "/admin/sales-channels", { name: unique("Channel") })
    salesChannelId = sales_channel.id
    locationId = await stockLocationInChannel("Fake Warehouse")
    const sku = unique("sku")
    const { product } = await admin.ok("POST", "/admin/products", {
      title: `Product ${sku}`,
      status: "published",
      sales_channels: [{ id: salesChannelId }],
      options: [{ title: "Size" }],
      variants: [{ title: "One", sku, manage_inventory: true, prices: [{ currency_code: "usd", amount: 800 }], options: [{ value: "One" }] }],
    })
    variantId = product.variants[0].id
    const attached = await app.call("productVariantInventoryService", "listByVariant", [variantId])
    expect(attached.error).toBeUndefined()
    expect(attached.result).toHaveLength(1)
    inventoryItemId = attached.result[0].inventory_item_id

    await inventory("createInventoryLevel", { inventory_item_id: inventoryItemId, location_id: locationId, stocked_quantity: 100 })

    const order = await placeOrder(2)
    orderId = order.id
    lineItemId = order.items[0].id

    // The reservation upstream makes by hand: Medusa made it when it placed the order.
    const reservations = await reservationsOf(lineItemId)
    expect(reservations).toEqual([
      expect.objectContaining({ line_item_id: lineItemId, inventory_item_id: inventoryItemId, location_id: locationId, quantity: 2 }),
    ])
    reservation = reservations[0]
  })

  describe("Reservation items", () => {
    it("POST /admin/reservations is refused when the line item's reservations would exceed its unfulfilled quantity", async () => {
      const { order } = await admin.ok("GET", `/admin/orders/${orderId}`)
      expect(order.items[0].quantity).toBe(2)
      expect(order.items[0].fulfilled_quantity).toBeFalsy()

      const res = await admin.request("POST", "/admin/reservations", {
        quantity: 1,
        inventory_item_id: inventoryItemId,
        line_item_id: lineItemId,
        location_id: locationId,
      })
      expect(res.status).toBe(400)
      expect(res.body).toEqual(QUANTITY_ERROR)

      // Nothing was reserved.
      expect(await reservationsOf(lineItemId)).toEqual([expect.objectContaining({ id: reservation.id, quantity: 2 })])
      expect(await inventory("retrieveReservedQuantity", inventoryItemId, [locationId])).toBe(2)
    })

    it("POST /admin/reservations/:id is refused when the new quantity exceeds the line item's unfulfilled quantity", async () => {
      const { order } = await admin.ok("GET", `/admin/orders/${orderId}`)
      expect(order.items[0].quantity).toBe(2)
      expect(order.items[0].fulfilled_quantity).toBeFalsy()

      const res = await admin.request("POST", `/admin/reservations/${reservation.id}`, { quantity: 3 })
      expect(res.status).toBe(400)
      expect(res.body).toEqual(QUANTITY_ERROR)

      // The reservation is unchanged.
      expect(await reservationsOf(lineItemId)).toEqual([expect.objectContaining({ id: reservation.id, quantity: 2 })])
      expect(await inventory("retrieveReservedQuantity", inventoryItemId, [locationId])).toBe(2)
    })

    describe("List reservation items", () => {
      let location2: string
      let item2: string
      let reservation2: any
      // Both of this test's locations: upstream's "every reservation".
      let mine: string

      const list = async (query: string): Promise<any[]> => {
        const { reservations } = await admin.ok("GET", `/admin/reservations?${query}`)
        return reservations
      }

      beforeEach(async () => {
        location2 = await stockLocationInChannel("Fake Warehouse 1")
        mine = `location_id[]=${locationId}&location_id[]=${location2}`
        const item = await inventory("createInventoryItem", { sku: unique("sku") })
        item2 = item.id
        await inventory("createInventoryLevel", { inventory_item_id: item2, location_id: location2, stocked_quantity: 100 })

        const order = await placeOrder(2)
        const lineItem2 = order.items[0].id
        // Medusa reserved the new line item (upstream's factory order is not reserved): undo it.
        const placed = await reservationsOf(lineItem2)
        expect(placed).toEqual([
          expect.objectContaining({ line_item_id: lineItem2, inventory_item_id: inventoryItemId, location_id: locationId, quantity: 2 }),
        ])
        await admin.ok("DELETE", `/admin/reservations/${placed[0].id}`)
        expect(await reservationsOf(lineItem2)).toEqual([])

        reservation2 = await inventory("createReservationItem", {
          line_item_id: lineItem2,
          inventory_item_id: item2,
          location_id: location2,
          description: "test description",
          quantity: 1,
        })
      })

      it("lists reservation items", async () => {
        const { reservations, count } = await admin.ok("GET", `/admin/reservations?${mine}`)
        expect(count).toBe(2)
        expect(reservations).toHaveLength(2)
        expect(reservations).toEqual(
          expect.arrayContaining([expect.objectContaining({ id: reservation.id }), expect.objectContaining({ id: reservation2.id })])
        )
      })

      describe("Filters reservation items", () => {
        it("filters by location", async () => {
          const reservations = await list(`location_id[]=${locationId}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].location_id).toBe(locationId)
          expect(reservations[0].id).toBe(reservation.id)
        })

        it("filters by itemID", async () => {
          const reservations = await list(`inventory_item_id[]=${item2}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].inventory_item_id).toBe(item2)
          expect(reservations[0].id).toBe(reservation2.id)
        })

        it("filters by quantity", async () => {
          const reservations = await list(`quantity[gt]=1&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation.id)
        })

        it("filters by date", async () => {
          const since = new Date(reservation2.created_at).toISOString()
          const reservations = await list(`created_at[gte]=${since}&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation2.id)
        })

        it("filters by description using equals", async () => {
          const reservations = await list(`description=test%20description&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation2.id)
        })

        it("filters by description using equals removes results", async () => {
          expect(await list(`description=description&${mine}`)).toHaveLength(0)
        })

        it("filters by description using contains", async () => {
          const reservations = await list(`description[contains]=descri&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation2.id)
        })

        it("filters by description using starts_with", async () => {
          const reservations = await list(`description[starts_with]=test&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation2.id)
        })

        it("filters by description using starts_with removes results", async () => {
          expect(await list(`description[starts_with]=description&${mine}`)).toHaveLength(0)
        })

        it("filters by description using ends_with", async () => {
          expect(await list(`description[ends_with]=test&${mine}`)).toHaveLength(0)
        })

        it("filters by description using ends_with removes results", async () => {
          const reservations = await list(`description[ends_with]=description&${mine}`)
          expect(reservations).toHaveLength(1)
          expect(reservations[0].id).toBe(reservation2.id)
        })
      })
    })

    it("lists reservations with inventory_items and line items", async () => {
      const res = await admin.request("GET", `/admin/reservations?expand=line_item,inventory_item&location_id[]=${locationId}`)
      expect(res.status).toBe(200)
      expect(res.body.reservations).toHaveLength(1)
      expect(res.body.reservations).toEqual([
        expect.objectContaining({
          id: reservation.id,
          inventory_item: expect.objectContaining({ id: inventoryItemId }),
          line_item: expect.objectContaining({ id: lineItemId, order: expect.objectContaining({ id: orderId }) }),
        }),
      ])
    })
  })
})
