import { Api } from "../medusa-app"
import { SharedApp } from "../shared-apps"
import { unique } from "./fixtures"

/**
 * What Medusa's upstream v1 order and cart tests seed with factories (regions, sales channels,
 * stock locations, products, carts, orders), made here through Medusa's admin and store APIs
 * on a shared app, so that every test owns its rows and sees no one else's.
 */

/**
 * Countries a test region may take. A country belongs to one region at a time and the apps are
 * shared, so a region takes the first of these (in random order) that no other region holds.
 * `us` is left out: `setupStore` in medusa-app.ts takes it.
 */
const COUNTRIES = (
  "ad ae ag al am ao ar at au aw az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca cd cf cg ch ci cl cm cn co cr cv cy cz " +
  "dj dm do dz ec ee eg er es et fi fj fr ga gd ge gh gm gn gq gr gt gw gy hn hr ht hu id ie il in iq is it jm jo jp ke kg kh ki km " +
  "kn kr kw kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mk ml mm mn mr mt mu mv mw mx my mz na ne ng ni nl np nz om pa pe pg " +
  "ph pk pl pt py qa ro rs rw sa sb sc sg si sk sl sm sn sr st sv sz td tg th tj tl tm tn to tr tt tz ua ug uy uz vc ve vn vu ws za zm zw"
).split(" ")

/** A region with the manual payment and fulfilment providers, a shipping option and a return option. */
export interface Shop {
  regionId: string
  countryCode: string
  shippingOptionId: string
  returnOptionId: string
}

export async function createShop(admin: Api): Promise<Shop> {
  const candidates = [...COUNTRIES].sort(() => Math.random() - 0.5)
  let region: any
  for (const code of candidates) {
    const answer = await admin.request("POST", "/admin/regions", {
      name: unique("Region"),
      currency_code: "usd",
      tax_rate: 0,
      payment_providers: ["manual"],
      fulfillment_providers: ["manual"],
      countries: [code],
    })
    if (answer.status < 300) {
      region = answer.body.region
      break
    }
    // Taken by another region (or unknown to Medusa): try the next one.
    if (!/already exists in region|country/i.test(JSON.stringify(answer.body))) {
      throw new Error(`POST /admin/regions answered ${answer.status}: ${JSON.stringify(answer.body)}`)
    }
  }
  if (!region) throw new Error("no free country left for a test region")
  const option = async (is_return: boolean) =>
    (
      await admin.ok("POST", "/admin/shipping-options", {
        name: unique(is_return ? "Return" : "Shipping"),
        region_id: region.id,
        provider_id: "manual",
        data: {},
        price_type: "flat_rate",
        amount: 0,
        is_return,
      })
    ).shipping_option.id as string
  return {
    regionId: region.id,
    countryCode: region.countries[0].iso_2,
    shippingOptionId: await option(false),
    returnOptionId: await option(true),
  }
}

/** Deletes the shop's region (ours), which gives its country back. */
export async function removeShop(admin: Api, shop: Shop | undefined): Promise<void> {
  if (shop) await admin.ok("DELETE", `/admin/regions/${shop.regionId}`)
}

export async function createSalesChannel(admin: Api): Promise<string> {
  const { sales_channel } = await admin.ok("POST", "/admin/sales-channels", { name: unique("Channel") })
  return sales_channel.id
}

/** A stock location, linked to the sales channel when one is given. */
export async function createLocation(admin: Api, salesChannelId?: string): Promise<string> {
  const { stock_location } = await admin.ok("POST", "/admin/stock-locations", { name: unique("Warehouse") })
  if (salesChannelId) {
    await admin.ok("POST", `/admin/sales-channels/${salesChannelId}/stock-locations`, { location_id: stock_location.id })
  }
  return stock_location.id
}

export async function createLevel(admin: Api, itemId: string, locationId: string, stocked: number): Promise<void> {
  await admin.ok("POST", `/admin/inventory-items/${itemId}/location-levels`, { location_id: locationId, stocked_quantity: stocked })
}

export interface Variant {
  productId: string
  variantId: string
  /** The inventory item Medusa made for the variant (manage_inventory: true). */
  itemId: string
  sku: string
  /** The product's title: the line items' title, which Medusa's messages quote. */
  title: string
}

/** A published product in the sales channel with one inventory-managed variant (no stock yet). */
export async function createVariant(admin: Api, salesChannelId: string): Promise<Variant> {
  const sku = unique("SKU")
  const title = unique("Product")
  const { product } = await admin.ok("POST", "/admin/products", {
    title,
    status: "published",
    sales_channels: [{ id: salesChannelId }],
    options: [{ title: "Size" }],
    variants: [{ title: "One", sku, manage_inventory: true, prices: [{ currency_code: "usd", amount: 800 }], options: [{ value: "One" }] }],
  })
  const { inventory_items } = await admin.ok("GET", `/admin/inventory-items?sku=${sku}`)
  expect(inventory_items).toHaveLength(1)
  return { productId: product.id, variantId: product.variants[0].id, itemId: inventory_items[0].id, sku, title }
}

/** A sales channel, a stock location linked to it, and a variant stocked there: upstream's beforeEach. */
export interface StockedVariant extends Variant {
  salesChannelId: string
  locationId: string
}

export async function stockedVariant(admin: Api, stock: number): Promise<StockedVariant> {
  const salesChannelId = await createSalesChannel(admin)
  const locationId = await createLocation(admin, salesChannelId)
  const variant = await createVariant(admin, salesChannelId)
  await createLevel(admin, variant.itemId, locationId, stock)
  return { ...variant, salesChannelId, locationId }
}

export interface LineInput {
  variant_id: string
  quantity: number
}

/** An empty cart in the shop's region and the sales channel. */
export async function openCart(store: Api, shop: Shop, salesChannelId: string): Promise<string> {
  const { cart } = await store.ok("POST", "/store/carts", { region_id: shop.regionId, sales_channel_id: salesChannelId })
  return cart.id
}

/** Email, shipping address and method, and the manual payment session: what completion needs. */
export async function prepareCart(store: Api, shop: Shop, cartId: string): Promise<void> {
  await store.ok("POST", `/store/carts/${cartId}`, {
    email: `${unique("buyer")}@e2e.test`,
    shipping_address: { first_name: "E", last_name: "Two", address_1: "1 Main St", city: "Town", country_code: shop.countryCode, postal_code: "10001" },
  })
  await store.ok("POST", `/store/carts/${cartId}/shipping-methods`, { option_id: shop.shippingOptionId })
  await selectManualPayment(store, cartId)
}

export async function selectManualPayment(store: Api, cartId: string): Promise<void> {
  await store.ok("POST", `/store/carts/${cartId}/payment-sessions`)
  await store.ok("POST", `/store/carts/${cartId}/payment-session`, { provider_id: "manual" })
}

/** A cart with these lines, ready to complete. */
export async function readyCart(store: Api, shop: Shop, salesChannelId: string, lines: LineInput[]): Promise<string> {
  const { cart } = await store.ok("POST", "/store/carts", { region_id: shop.regionId, sales_channel_id: salesChannelId, items: lines })
  await prepareCart(store, shop, cart.id)
  return cart.id
}

/** Completes the cart, which must become an order. */
export async function completeOrder(store: Api, cartId: string): Promise<any> {
  const completed = await store.ok("POST", `/store/carts/${cartId}/complete`)
  expect(completed.type).toBe("order")
  return completed.data
}

export async function placeOrder(store: Api, shop: Shop, salesChannelId: string, lines: LineInput[]): Promise<any> {
  return await completeOrder(store, await readyCart(store, shop, salesChannelId, lines))
}

/**
 * Upstream's order factory writes an order with no reservations; a checkout reserves, so the
 * order's reservations are deleted here (through the admin API) to reach the same state.
 */
export async function dropOrderReservations(admin: Api, orderId: string): Promise<void> {
  const { reservations } = await admin.ok("GET", `/admin/orders/${orderId}/reservations`)
  expect(reservations.length).toBeGreaterThan(0)
  for (const reservation of reservations) await admin.ok("DELETE", `/admin/reservations/${reservation.id}`)
}

export interface LevelQuantities {
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
  available_quantity: number
}

/** The levels of an item as `GET /admin/inventory-items/:id` shows them (upstream reads them there). */
export async function levelsOf(admin: Api, itemId: string): Promise<LevelQuantities[]> {
  const { inventory_item } = await admin.ok("GET", `/admin/inventory-items/${itemId}`)
  return inventory_item.location_levels
}

export async function levelAt(admin: Api, itemId: string, locationId: string): Promise<LevelQuantities> {
  const level = (await levelsOf(admin, itemId)).find((l) => l.location_id === locationId)
  if (!level) throw new Error(`item ${itemId} has no level at ${locationId}`)
  return level
}

/** `expect.objectContaining` for a level's three quantities. */
export function quantities(stocked: number, reserved: number, available: number, locationId?: string): any {
  return expect.objectContaining({
    ...(locationId ? { location_id: locationId } : {}),
    stocked_quantity: stocked,
    reserved_quantity: reserved,
    available_quantity: available,
  })
}

/** `GET /admin/reservations` with a query such as `inventory_item_id[]=...`. */
export async function reservationsWhere(admin: Api, query: string): Promise<any[]> {
  const { reservations } = await admin.ok("GET", `/admin/reservations?${query}`)
  return reservations
}

/** `productVariantInventoryService.reserveQuantity` from the app's container, as upstream calls it. */
export async function reserveQuantity(app: SharedApp, variantId: string, quantity: number, context: { locationId: string; lineItemId: string }): Promise<void> {
  const outcome = await app.call("productVariantInventoryService", "reserveQuantity", [variantId, quantity, context])
  if (outcome.error) throw new Error(`reserveQuantity failed: ${outcome.error.message}`)
}
