import { countParam, dateParam, ledgerService, listParam, Request, respond, Response } from "../../../http"

interface MovementReader {
  listInventoryMovements(selector: Record<string, unknown>, config: Record<string, unknown>): Promise<[{ inventory_item_id: string }[], number]>
  listInventoryItems(selector: Record<string, unknown>, config: Record<string, unknown>): Promise<[{ id: string; sku: string | null; title: string | null }[], number]>
}

/**
 * GET /admin/stock/movements?reason=&location_id=&sku=&from=&to=&limit=&offset=
 * The stock movements of every item, newest first, each with its item's sku and title. `from`
 * and `to` are dates (`to` exclusive); `reason`, `location_id` and `sku` take several values.
 */
export async function GET(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const service = ledgerService<MovementReader>(req, "listInventoryMovements")
    const limit = countParam(req, "limit", 20, 1000)
    const offset = countParam(req, "offset", 0)
    const selector: Record<string, unknown> = {}
    const reasons = listParam(req, "reason")
    if (reasons) selector.reason = reasons
    const locations = listParam(req, "location_id")
    if (locations) selector.location_id = locations
    const from = dateParam(req, "from")
    const to = dateParam(req, "to")
    if (from || to) selector.created_at = { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) }
    const skus = listParam(req, "sku")
    if (skus) {
      const [items] = await service.listInventoryItems({ sku: skus }, { select: ["id"], take: skus.length })
      if (!items.length) return { movements: [], count: 0, limit, offset }
      selector.inventory_item_id = items.map((i) => i.id)
    }
    const [movements, count] = await service.listInventoryMovements(selector, { skip: offset, take: limit })
    const ids = [...new Set(movements.map((m) => m.inventory_item_id))]
    const [items] = ids.length ? await service.listInventoryItems({ id: ids }, { select: ["id", "sku", "title"], take: ids.length, withDeleted: true }) : [[]]
    const byId = new Map(items.map((i) => [i.id, i]))
    return {
      movements: movements.map((m) => ({ ...m, sku: byId.get(m.inventory_item_id)?.sku ?? null, title: byId.get(m.inventory_item_id)?.title ?? null })),
      count,
      limit,
      offset,
    }
  })
}
