import { CallOutcome, SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 test
 * `integration-tests/plugins/__tests__/inventory/variant-inventory-service.js`
 * (medusajs/medusa, branch v1.x): `productVariantInventoryService.attachInventoryItem`, resolved
 * from the container of a running Medusa 1.20.11 app and called directly, which checks the
 * variants (Medusa's tables) and the inventory items (`inventoryService.listInventoryItems`)
 * before it links them. Our own test code, run on this module and on
 * @medusajs/inventory@1.11.7, which must both pass. No upstream behaviour is left out.
 *
 * Upstream's seed (a product with two variants and no inventory items, then two inventory
 * items) is made per test through the admin API (variants that do not manage inventory, so
 * that Medusa attaches no item of its own) and `inventoryService.createInventoryItem`, with
 * unique skus and names, on the app shared by every test file of the run.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

describe.each(MODULES)("productVariantInventoryService.attachInventoryItem (%s)", (name) => {
  let app: SharedApp
  let variant1: string
  let variant2: string
  let invItem1: string
  let invItem2: string

  const pvi = <T = any>(method: string, ...args: unknown[]): Promise<CallOutcome<T>> =>
    app.call<T>("productVariantInventoryService", method, args)

  async function attached(variantIds: string | string[]): Promise<any[]> {
    const outcome = await pvi<any[]>("listByVariant", variantIds)
    expect(outcome.error).toBeUndefined()
    return outcome.result!
  }

  async function attach(...args: unknown[]): Promise<void> {
    const outcome = await pvi("attachInventoryItem", ...args)
    expect(outcome.error).toBeUndefined()
  }

  beforeAll(async () => {
    app = await sharedApp(name)
  })

  beforeEach(async () => {
    const admin = await app.admin()
    const tag = unique("pvi")
    const { product } = await admin.ok("POST", "/admin/products", {
      title: `Product ${tag}`,
      options: [{ title: "Size" }],
      variants: ["One", "Two"].map((size) => ({
        title: size,
        sku: `${tag}_${size}`,
        manage_inventory: false,
        prices: [{ currency_code: "usd", amount: 100 }],
        options: [{ value: size }],
      })),
    })
    variant1 = product.variants.find((v: any) => v.title === "One").id
    variant2 = product.variants.find((v: any) => v.title === "Two").id
    expect(await attached([variant1, variant2])).toEqual([])

    invItem1 = (await app.inventory("createInventoryItem", { sku: unique("test-sku-1") })).id
    invItem2 = (await app.inventory("createInventoryItem", { sku: unique("test-sku-2") })).id
  })

  it("should attach the single item with spread params", async () => {
    await attach(variant1, invItem1)
    const items = await attached(variant1)
    expect(items).toHaveLength(1)
    expect(items[0]).toEqual(expect.objectContaining({ inventory_item_id: invItem1, variant_id: variant1 }))
  })

  it("should attach multiple inventory items and variants at once", async () => {
    await attach([
      { variantId: variant1, inventoryItemId: invItem1 },
      { variantId: variant2, inventoryItemId: invItem2 },
    ])
    const items = await attached([variant1, variant2])
    expect(items).toHaveLength(2)
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ inventory_item_id: invItem1, variant_id: variant1 }),
        expect.objectContaining({ inventory_item_id: invItem2, variant_id: variant2 }),
      ])
    )
  })

  it("should skip existing attachments when attaching a singular inventory item", async () => {
    await attach(variant1, invItem1)
    await attach(variant1, invItem1)
    const items = await attached(variant1)
    expect(items).toHaveLength(1)
    expect(items[0]).toEqual(expect.objectContaining({ inventory_item_id: invItem1, variant_id: variant1 }))
  })

  it("should skip existing attachments when attaching multiple inventory items in bulk", async () => {
    await attach(variant1, invItem1)
    await attach([
      { variantId: variant1, inventoryItemId: invItem1 },
      { variantId: variant2, inventoryItemId: invItem2 },
    ])
    const items = await attached([variant1, variant2])
    expect(items).toHaveLength(2)
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ inventory_item_id: invItem1, variant_id: variant1 }),
        expect.objectContaining({ inventory_item_id: invItem2, variant_id: variant2 }),
      ])
    )
  })

  it("should fail to attach items when a single item has a required_quantity below 1", async () => {
    const single = await pvi("attachInventoryItem", variant1, invItem1, 0)
    expect(single.error).toEqual(
      expect.objectContaining({
        type: "invalid_data",
        message: `"requiredQuantity" must be greater than 0, the following entries are invalid: ${JSON.stringify({
          variantId: variant1,
          inventoryItemId: invItem1,
          requiredQuantity: 0,
        })}`,
      })
    )

    const bulk = await pvi("attachInventoryItem", [
      { variantId: variant1, inventoryItemId: invItem1 },
      { variantId: variant2, inventoryItemId: invItem2, requiredQuantity: 0 },
    ])
    expect(bulk.error).toEqual(
      expect.objectContaining({
        type: "invalid_data",
        message: `"requiredQuantity" must be greater than 0, the following entries are invalid: ${JSON.stringify({
          variantId: variant2,
          inventoryItemId: invItem2,
          requiredQuantity: 0,
        })}`,
      })
    )
    expect(await attached([variant1, variant2])).toEqual([])
  })

  it("should fail to attach items when attaching to a non-existing variant", async () => {
    const missing = unique("variant_missing")
    const single = await pvi("attachInventoryItem", missing, invItem1)
    expect(single.error).toEqual(expect.objectContaining({ type: "not_found", message: `Variants not found for the following ids: ${missing}` }))

    const bulk = await pvi("attachInventoryItem", [
      { variantId: missing, inventoryItemId: invItem1 },
      { variantId: variant2, inventoryItemId: invItem2 },
    ])
    expect(bulk.error).toEqual(expect.objectContaining({ type: "not_found", message: `Variants not found for the following ids: ${missing}` }))
    expect(await attached([variant1, variant2])).toEqual([])
  })

  it("should fail to attach items when attaching to a non-existing inventory item", async () => {
    const missing1 = unique("iitem_missing")
    const single = await pvi("attachInventoryItem", variant1, missing1)
    expect(single.error).toEqual(
      expect.objectContaining({ type: "not_found", message: `Inventory items not found for the following ids: ${missing1}` })
    )

    const missing2 = unique("iitem_missing")
    const bulk = await pvi("attachInventoryItem", [
      { variantId: variant1, inventoryItemId: invItem1 },
      { variantId: variant2, inventoryItemId: missing2 },
    ])
    expect(bulk.error).toEqual(
      expect.objectContaining({ type: "not_found", message: `Inventory items not found for the following ids: ${missing2}` })
    )
    expect(await attached([variant1, variant2])).toEqual([])
  })
})
