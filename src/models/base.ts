import { CreateDateColumn, DeleteDateColumn, PrimaryColumn, UpdateDateColumn } from "typeorm"

/** Columns every inventory table has: a prefixed ULID id, timestamps and a soft-delete mark. */
export abstract class SoftDeletableEntity {
  @PrimaryColumn({ type: "character varying" })
  id!: string

  @CreateDateColumn({ type: "timestamptz" })
  created_at!: Date

  @UpdateDateColumn({ type: "timestamptz" })
  updated_at!: Date

  @DeleteDateColumn({ type: "timestamptz" })
  deleted_at!: Date | null
}
