import type { Request } from "../../http"

/** What the Stock page's level routes need of the module, and the products of its levels. */

export interface StockLevelReader {
  listStockLevels(selector: Record<string, unknown>, config: { skip: number; take: number }): Promise<[StockLevelRow[], number]>
}

export interface StockLevelRow {
  inventory_item_id: string
  [field: string]: unknown
}

interface VariantLinks {
  listByItem(itemIds: string[]): Promise<{ inventory_item_id: string; variant_id: string }[]>
}
interface Variants {
  list(selector: Record<string, unknown>, config: Record<string, unknown>): Promise<{ id: string; product_id: string; title: string }[]>
}

/** Each level's product and variant (Medusa's links of variants to inventory items), for the page's links. */
export async function withProducts(req: Request, levels: StockLevelRow[]): Promise<StockLevelRow[]> {
  const itemIds = [...new Set(levels.map((l) => l.inventory_item_id))]
  if (!itemIds.length) return levels
  const links = await req.scope.resolve<VariantLinks>("productVariantInventoryService").listByItem(itemIds)
  const variantIds = [...new Set(links.map((l) => l.variant_id))]
  const variants = variantIds.length
    ? await req.scope.resolve<Variants>("productVariantService").list({ id: variantIds }, { select: ["id", "product_id", "title"] })
    : []
  const byVariant = new Map(variants.map((v) => [v.id, v]))
  const byItem = new Map<string, { variant_id: string; product_id: string }>()
  for (const link of links) {
    const variant = byVariant.get(link.variant_id)
    if (variant && !byItem.has(link.inventory_item_id)) byItem.set(link.inventory_item_id, { variant_id: variant.id, product_id: variant.product_id })
  }
  return levels.map((level) => ({ ...level, product_id: byItem.get(level.inventory_item_id)?.product_id ?? null, variant_id: byItem.get(level.inventory_item_id)?.variant_id ?? null }))
}
