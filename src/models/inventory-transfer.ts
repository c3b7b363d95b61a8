import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm"

/**
 * Units moved from one stock location to another (see src/stock/transfers.ts): immediate
 * (`received` at once) or in transit (`in_transit` until `receiveTransfer`). Written by the
 * module's SQL only.
 */
@Entity("inventory_transfer")
export class InventoryTransfer {
  @PrimaryColumn({ type: "character varying" })
  id!: string

  @Index("IDX_inventory_transfer_item")
  @Column({ type: "text" })
  inventory_item_id!: string

  @Column({ type: "text" })
  from_location_id!: string

  @Column({ type: "text" })
  to_location_id!: string

  @Column({ type: "int" })
  quantity!: number

  /** `in_transit` or `received` (closed, short or not). */
  @Column({ type: "text" })
  status!: "in_transit" | "received"

  @Column({ type: "int", nullable: true })
  received_quantity!: number | null

  @Column({ type: "int", nullable: true })
  lost_quantity!: number | null

  @Column({ type: "text", nullable: true })
  reference!: string | null

  @Column({ type: "text", nullable: true })
  actor!: string | null

  @Column({ type: "text", nullable: true })
  idempotency_key!: string | null

  @Column({ type: "jsonb", nullable: true })
  metadata!: Record<string, unknown> | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date

  @Column({ type: "timestamptz", nullable: true })
  received_at!: Date | null
}
