import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm"

/**
 * One change of a level's stocked or reserved quantity: the stock ledger (see
 * src/stock/ledger.ts). Rows are only ever inserted (and folded by `history prune`).
 */
@Entity("inventory_movement")
@Index("IDX_inventory_movement_item_location_created", ["inventory_item_id", "location_id", "created_at"])
export class InventoryMovement {
  @PrimaryColumn({ type: "character varying" })
  id!: string

  @Column({ type: "text" })
  inventory_item_id!: string

  @Column({ type: "text" })
  location_id!: string

  /** bigint: a correction from one end of the integer range to the other does not fit an integer. */
  @Column({ type: "bigint", default: 0 })
  stocked_delta!: number

  @Column({ type: "bigint", default: 0 })
  reserved_delta!: number

  /** Change of incoming_quantity (transfers in transit, corrections). */
  @Column({ type: "bigint", default: 0 })
  incoming_delta!: number

  /** Changes of the units set aside, per state. */
  @Column({ type: "bigint", default: 0 })
  damaged_delta!: number

  @Column({ type: "bigint", default: 0 })
  quality_control_delta!: number

  @Column({ type: "bigint", default: 0 })
  safety_stock_delta!: number

  /** The state a set-aside or release moved units into or out of. */
  @Column({ type: "text", nullable: true })
  state!: string | null

  /** The transfer the movement belongs to. */
  @Index("IDX_inventory_movement_transfer_id", { where: "transfer_id IS NOT NULL" })
  @Column({ type: "text", nullable: true })
  transfer_id!: string | null

  @Column({ type: "int" })
  stocked_after!: number

  @Column({ type: "int" })
  reserved_after!: number

  @Column({ type: "text" })
  reason!: string

  @Column({ type: "text", nullable: true })
  reference!: string | null

  @Column({ type: "text", nullable: true })
  actor!: string | null

  @Column({ type: "text", nullable: true })
  reservation_item_id!: string | null

  @Index("IDX_inventory_movement_idempotency_key", { where: "idempotency_key IS NOT NULL" })
  @Column({ type: "text", nullable: true })
  idempotency_key!: string | null

  @Column({ type: "jsonb", nullable: true })
  metadata!: Record<string, unknown> | null

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date
}
