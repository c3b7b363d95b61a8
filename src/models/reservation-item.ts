import { BeforeInsert, Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm"
import { newId } from "../utils/ids"
import { SoftDeletableEntity } from "./base"
import type { InventoryItem } from "./inventory-item"

/** Quantity of an item held at a location, usually for an order's line item. */
@Entity("reservation_item")
export class ReservationItem extends SoftDeletableEntity {
  @Index("IDX_reservation_item_line_item_id", { where: "deleted_at IS NULL" })
  @Column({ type: "text", nullable: true })
  line_item_id!: string | null

  @Index("IDX_reservation_item_inventory_item_id", { where: "deleted_at IS NULL" })
  @Column({ type: "text" })
  inventory_item_id!: string

  @Index("IDX_reservation_item_location_id", { where: "deleted_at IS NULL" })
  @Column({ type: "text" })
  location_id!: string

  @Column({ type: "int" })
  quantity!: number

  @Column({ type: "character varying", nullable: true })
  external_id!: string | null

  @Column({ type: "character varying", nullable: true })
  description!: string | null

  @Column({ type: "character varying", nullable: true })
  created_by!: string | null

  @Column({ type: "jsonb", nullable: true })
  metadata!: Record<string, unknown> | null

  /** When set, the sweeper releases the reservation once this time has passed (this module's own column). */
  @Index("IDX_reservation_item_expires_at", { where: "deleted_at IS NULL AND expires_at IS NOT NULL" })
  @Column({ type: "timestamptz", nullable: true })
  expires_at!: Date | null

  @ManyToOne("InventoryItem", { createForeignKeyConstraints: false })
  @JoinColumn({ name: "inventory_item_id" })
  inventory_item?: InventoryItem

  @BeforeInsert()
  protected beforeInsert(): void {
    this.id = this.id || newId("resitem")
  }
}
