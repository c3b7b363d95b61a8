import crypto from "crypto"

let pool = Buffer.alloc(0)
let offset = 0

/**
 * Cryptographically random bytes from a pool refilled 4 KiB at a time: one system call per
 * ~400 statements' ids, not one per character (as the `ulid` package's generator and Medusa's make them).
 */
export function randomBytes(count: number): Buffer {
  if (offset + count > pool.length) {
    pool = crypto.randomBytes(4096)
    offset = 0
  }
  offset += count
  return pool.subarray(offset - count, offset)
}
