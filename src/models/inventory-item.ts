import { BeforeInsert, Column, Entity, Index, OneToMany } from "typeorm"
import { newId } from "../utils/ids"
import { SoftDeletableEntity } from "./base"
import type { InventoryLevel } from "./inventory-level"

/** A stock-kept unit. Table and columns are those of `@medusajs/inventory`. */
@Entity("inventory_item")
export class InventoryItem extends SoftDeletableEntity {
  @Index("IDX_inventory_item_sku", { unique: true, where: "deleted_at IS NULL" })
  @Column({ type: "text", nullable: true })
  sku!: string | null

  @Column({ type: "text", nullable: true })
  origin_country!: string | null

  @Column({ type: "text", nullable: true })
  hs_code!: string | null

  @Column({ type: "text", nullable: true })
  mid_code!: string | null

  @Column({ type: "text", nullable: true })
  material!: string | null

  @Column({ type: "int", nullable: true })
  weight!: number | null

  @Column({ type: "int", nullable: true })
  length!: number | null

  @Column({ type: "int", nullable: true })
  height!: number | null

  @Column({ type: "int", nullable: true })
  width!: number | null

  @Column({ type: "boolean", default: true })
  requires_shipping!: boolean

  @Column({ type: "character varying", nullable: true })
  description!: string | null

  @Column({ type: "character varying", nullable: true })
  title!: string | null

  @Column({ type: "character varying", nullable: true })
  thumbnail!: string | null

  @Column({ type: "jsonb", nullable: true })
  metadata!: Record<string, unknown> | null

  @OneToMany("InventoryLevel", (level: InventoryLevel) => level.inventory_item)
  inventory_levels?: InventoryLevel[]

  @BeforeInsert()
  protected beforeInsert(): void {
    this.id = this.id || newId("iitem")
  }
}
