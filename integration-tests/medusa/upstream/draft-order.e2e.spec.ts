import { Api } from "../medusa-app"
import { SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"
import { createLevel, createLocation, createSalesChannel, createShop, createVariant, levelsOf, quantities, removeShop, Shop } from "./store-fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 test
 * `integration-tests/plugins/__tests__/inventory/order/draft-order.js` (medusajs/medusa, branch
 * v1.x): an order made from a draft order and paid through the admin API does not reserve
 * stock. Our own test code, run on this module and on @medusajs/inventory@1.11.7, which must
 * both pass.
 *
 * Upstream seeds a region, a product, a customer, an address and a shipping option with
 * factories; here they are made through the admin API, in a region and sales channel of this
 * test. As upstream, the stock location is linked to no sales channel. Left out: nothing.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

describe.each(MODULES)("admin draft orders and the inventory module (%s)", (name) => {
  let app: SharedApp
  let admin: Api
  let shop: Shop

  beforeAll(async () => {
    app = await sharedApp(name)
    admin = await app.admin()
    shop = await createShop(admin)
  })

  afterAll(async () => {
    await removeShop(admin, shop)
  })

  it("creates the order from a paid draft order without reserving stock", async () => {
    const salesChannelId = await createSalesChannel(admin)
    const locationId = await createLocation(admin)
    const variant = await createVariant(admin, salesChannelId)
    await createLevel(admin, variant.itemId, locationId, 10)
    const { customer } = await admin.ok("POST", "/admin/customers", {
      email: `${unique("customer")}@e2e.test`,
      first_name: "Draft",
      last_name: "Buyer",
      password: "supersecret",
    })

    const before = await levelsOf(admin, variant.itemId)
    expect(before).toEqual([quantities(10, 0, 10, locationId)])

    const payload = {
      email: customer.email,
      shipping_address: { first_name: "E", last_name: "Two", address_1: "1 Main St", city: "Town", country_code: shop.countryCode, postal_code: "10001" },
      discounts: [],
      items: [{ variant_id: variant.variantId, quantity: 2, metadata: {} }],
      region_id: shop.regionId,
      customer_id: customer.id,
      shipping_methods: [{ option_id: shop.shippingOptionId }],
    }
    const created = await admin.request("POST", "/admin/draft-orders", payload)
    expect(created.status).toBe(200)
    const paid = await admin.request("POST", `/admin/draft-orders/${created.body.draft_order.id}/pay`, payload)
    expect(paid.status).toBe(200)
    const order = paid.body.order
    expect(order.items).toEqual([expect.objectContaining({ variant_id: variant.variantId, quantity: 2 })])

    // No reservation for the order's line item, and the level is untouched.
    const [, count] = await app.inventory("listReservationItems", { line_item_id: order.items.map((i: any) => i.id) })
    expect(count).toBe(0)
    expect(await levelsOf(admin, variant.itemId)).toEqual([quantities(10, 0, 10, locationId)])
  })
})
