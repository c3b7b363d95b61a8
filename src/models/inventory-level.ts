import { BeforeInsert, Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm"
import { newId } from "../utils/ids"
import { SoftDeletableEntity } from "./base"
import type { InventoryItem } from "./inventory-item"

/** The stock of one item at one stock location. */
@Entity("inventory_level")
@Index("UQ_inventory_level_inventory_item_id_location_id", ["inventory_item_id", "location_id"], {
  unique: true,
  where: "deleted_at IS NULL",
})
export class InventoryLevel extends SoftDeletableEntity {
  @Index("IDX_inventory_level_inventory_item_id")
  @Column({ type: "text" })
  inventory_item_id!: string

  @Index("IDX_inventory_level_location_id")
  @Column({ type: "text" })
  location_id!: string

  @Column({ type: "int", default: 0 })
  stocked_quantity!: number

  @Column({ type: "int", default: 0 })
  reserved_quantity!: number

  @Column({ type: "int", default: 0 })
  incoming_quantity!: number

  @Column({ type: "jsonb", nullable: true })
  metadata!: Record<string, unknown> | null

  /**
   * Units set aside (this module's own columns, see stock/set-aside.ts): out of
   * stocked_quantity, held per state. Callers see them as the level's `unavailable` breakdown;
   * TypeORM selects them only where the module asks.
   */
  @Column({ type: "int", default: 0, select: false })
  damaged_quantity!: number

  @Column({ type: "int", default: 0, select: false })
  quality_control_quantity!: number

  @Column({ type: "int", default: 0, select: false })
  safety_stock_quantity!: number

  @ManyToOne("InventoryItem", (item: InventoryItem) => item.inventory_levels, {
    createForeignKeyConstraints: false,
  })
  @JoinColumn({ name: "inventory_item_id" })
  inventory_item?: InventoryItem

  @BeforeInsert()
  protected beforeInsert(): void {
    this.id = this.id || newId("ilev")
  }
}
