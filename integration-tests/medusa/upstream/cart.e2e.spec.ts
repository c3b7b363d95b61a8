import { Api } from "../medusa-app"
import { SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"
import {
  completeOrder,
  createShop,
  openCart,
  prepareCart,
  removeShop,
  selectManualPayment,
  Shop,
  stockedVariant,
  StockedVariant,
} from "./store-fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 test
 * `integration-tests/plugins/__tests__/inventory/cart/cart.js` (medusajs/medusa, branch v1.x):
 * a cart's checkout reserves through the inventory module, a failed checkout leaves no
 * reservation, line items show the variant's inventory quantity, and a cart that asks for more
 * than is available is refused, when the line item is added and when the cart is completed.
 * Our own test code, run on this module and on @medusajs/inventory@1.11.7, which must both pass.
 *
 * Upstream seeds its state with factories and a "test-cart"; here each test makes its own sales
 * channel, stock location (5 in stock, linked to the channel) and inventory-managed variant
 * through the admin API, and its own cart in a region of this file. Left out: nothing.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

describe.each(MODULES)("store carts and the inventory module (%s)", (name) => {
  let app: SharedApp
  let admin: Api
  let store: Api
  let shop: Shop
  let stock: StockedVariant

  beforeAll(async () => {
    app = await sharedApp(name)
    admin = await app.admin()
    store = app.anonymous()
    shop = await createShop(admin)
  })

  afterAll(async () => {
    await removeShop(admin, shop)
  })

  beforeEach(async () => {
    stock = await stockedVariant(admin, 5)
  })

  const level = () => app.inventory("retrieveInventoryLevel", stock.itemId, stock.locationId)
  const addLine = (cartId: string, quantity: number) =>
    store.request("POST", `/store/carts/${cartId}/line-items`, { variant_id: stock.variantId, quantity })

  it("reserves the quantity when the cart is completed", async () => {
    const cartId = await openCart(store, shop, stock.salesChannelId)
    expect((await addLine(cartId, 3)).status).toBe(200)
    await prepareCart(store, shop, cartId)
    const order = await completeOrder(store, cartId)

    expect(await level()).toEqual(
      expect.objectContaining({ location_id: stock.locationId, inventory_item_id: stock.itemId, reserved_quantity: 3, stocked_quantity: 5 })
    )
    // The reservation belongs to the order's line item.
    const [reservations, count] = await app.inventory("listReservationItems", { line_item_id: order.items.map((i: any) => i.id) })
    expect(count).toBe(1)
    expect(reservations[0]).toEqual(expect.objectContaining({ inventory_item_id: stock.itemId, location_id: stock.locationId, quantity: 3 }))
  })

  it("leaves no reservation when completing the cart fails (no customer)", async () => {
    const { cart } = await store.ok("POST", "/store/carts", {
      region_id: shop.regionId,
      sales_channel_id: stock.salesChannelId,
      items: [{ variant_id: stock.variantId, quantity: 3 }],
    })
    await selectManualPayment(store, cart.id)

    const completed = await store.request("POST", `/store/carts/${cart.id}/complete`)
    expect(completed.status).toBe(400)
    expect(completed.body).toEqual({ type: "invalid_data", message: "Cannot create an order from the cart without a customer" })

    const [, count] = await app.inventory("listReservationItems", { line_item_id: cart.items.map((i: any) => i.id) })
    expect(count).toBe(0)
    expect(await level()).toEqual(expect.objectContaining({ reserved_quantity: 0, stocked_quantity: 5 }))
  })

  it("shows the variant's inventory_quantity on the line item when it is added", async () => {
    const cartId = await openCart(store, shop, stock.salesChannelId)
    const added = await addLine(cartId, 3)
    expect(added.status).toBe(200)
    expect(added.body.cart.items[0].variant.inventory_quantity).toBe(5)
  })

  it("shows the variant's inventory_quantity on the line item when the cart is read", async () => {
    const cartId = await openCart(store, shop, stock.salesChannelId)
    expect((await addLine(cartId, 3)).status).toBe(200)
    const read = await store.request("GET", `/store/carts/${cartId}`)
    expect(read.status).toBe(200)
    expect(read.body.cart.items[0].variant.inventory_quantity).toBe(5)
  })

  it("refuses a line item for more than is available", async () => {
    const cartId = await openCart(store, shop, stock.salesChannelId)
    const added = await addLine(cartId, 6)
    expect(added.status).toBe(400)
    expect(added.body.code).toBe("insufficient_inventory")
    expect(added.body.message).toBe(`Variant with id: ${stock.variantId} does not have the required inventory`)
  })

  it("refuses to complete a cart whose items are no longer covered (409), keeping the other reservation", async () => {
    const cartId = await openCart(store, shop, stock.salesChannelId)
    expect((await addLine(cartId, 5)).status).toBe(200)
    await prepareCart(store, shop, cartId)

    // Another process reserves 2 of the 5 before the cart is completed.
    await app.inventory("createReservationItem", {
      line_item_id: unique("line_item"),
      inventory_item_id: stock.itemId,
      location_id: stock.locationId,
      quantity: 2,
    })

    const completed = await store.request("POST", `/store/carts/${cartId}/complete`)
    expect(completed.status).toBe(409)
    expect(completed.body.errors[0].code).toBe("insufficient_inventory")
    expect(completed.body.errors[0].message).toBe(`Variant with id: ${stock.variantId} does not have the required inventory`)

    expect(await level()).toEqual(
      expect.objectContaining({ location_id: stock.locationId, inventory_item_id: stock.itemId, reserved_quantity: 2, stocked_quantity: 5 })
    )
  })
})
