import { randomBytes } from "crypto"

/**
 * Names for the rows a test makes on a shared app: unique across test files, runs and the two
 * modules, so that no test sees another's data.
 */
export function unique(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`
}
