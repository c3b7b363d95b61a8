import { countParam, ledgerService, listParam, Request, Response } from "../../../../http"

interface LedgerReader {
  retrieveInventoryItem(id: string): Promise<unknown>
  listInventoryMovements(selector: Record<string, unknown>, config: Record<string, unknown>): Promise<[unknown[], number]>
}

/**
 * GET /admin/inventory-items/:id/movements?location_id=&reason=&limit=&offset=
 * The item's stock movements, newest first, in the shape of Medusa's list routes.
 * Behind Medusa's admin authentication (every /admin route of a plugin is, by default).
 */
export async function GET(req: Request, res: Response): Promise<void> {
  const service = ledgerService<LedgerReader>(req, "listInventoryMovements")
  const limit = countParam(req, "limit", 20, 1000)
  const offset = countParam(req, "offset", 0)
  await service.retrieveInventoryItem(req.params.id) // 404 for an unknown item
  const selector: Record<string, unknown> = { inventory_item_id: req.params.id }
  const locations = listParam(req, "location_id")
  if (locations) selector.location_id = locations
  const reasons = listParam(req, "reason")
  if (reasons) selector.reason = reasons
  const [movements, count] = await service.listInventoryMovements(selector, { skip: offset, take: limit })
  res.status(200).json({ movements, count, limit, offset })
}
