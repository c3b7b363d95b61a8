import { createHash } from "crypto"

/**
 * The hottest fixed statements (a checkout's availability check and its reservation), kept in
 * the database as PL/pgSQL functions, created by the module's migrations.
 *
 * Why: without named prepared statements (off by default, for transaction-mode poolers), the
 * server parses and plans every statement it is sent. A PL/pgSQL function's statements are
 * planned once per server connection and their plans cached, as a prepared statement's are,
 * but the cache belongs to the function, not to the client session: it works the same behind
 * PgBouncer. Calling one is a statement too small to cost anything to plan.
 *
 * Each function's name carries a version. Its body is the statement the code builds, with
 * `$n` turned into the function's parameter `pn`; a test pins each definition's checksum, so
 * that a change to the statement comes with a new version and a migration that creates it
 * (databases already migrated keep the old version under the old name).
 */
export interface ServerFunction {
  /** The function's name, with its version: `inventory_reserve_one_v1`. */
  readonly name: string
  /** The statement, with `$1` … `$n` parameters, each cast (`$1::text`): the casts are the parameter types. */
  readonly sql: string
  /** The statement's result columns and their SQL types, in order. */
  readonly returns: readonly (readonly [string, string])[]
}

/** The SQL type of each `$n` of `sql`, from its casts (`$3::int`); every parameter must have one, the same each time. */
export function parameterTypes(sql: string): string[] {
  const types: string[] = []
  const seen = new Set<number>()
  for (const match of sql.matchAll(/\$(\d+)(::([a-z_]+(\[\])?))?/g)) {
    const index = Number(match[1]) - 1
    seen.add(index)
    const type = match[3]
    if (!type) throw new Error(`server function: $${index + 1} has no cast`)
    if (types[index] && types[index] !== type) throw new Error(`server function: $${index + 1} is cast to ${types[index]} and ${type}`)
    types[index] = type
  }
  if (seen.size !== types.length || types.some((t) => !t)) throw new Error("server function: parameters are not numbered $1 … $n")
  return types
}

/** The function's body: the statement, returning its rows, its parameters named `p1` … `pn`. */
function body(fn: ServerFunction): string {
  // Column names win over the OUT parameters (the result columns) of the same name.
  return `#variable_conflict use_column
BEGIN
  RETURN QUERY ${fn.sql.replace(/\$(\d+)/g, "p$1").trim()};
END`
}

/** `CREATE OR REPLACE FUNCTION` for `fn`. */
export function createFunctionSql(fn: ServerFunction): string {
  const parameters = parameterTypes(fn.sql).map((type, i) => `p${i + 1} ${type}`)
  const returns = fn.returns.map(([column, type]) => `"${column}" ${type}`)
  return `CREATE OR REPLACE FUNCTION ${fn.name}(${parameters.join(", ")})
  RETURNS TABLE (${returns.join(", ")})
  LANGUAGE plpgsql VOLATILE
AS $server_function$
${body(fn)}
$server_function$`
}

/** `DROP FUNCTION` for `fn` (by its parameter types: names may be overloaded). */
export function dropFunctionSql(fn: ServerFunction): string {
  return `DROP FUNCTION IF EXISTS ${fn.name}(${parameterTypes(fn.sql).join(", ")})`
}

/** The statement that calls `fn` with the statement's own parameters. */
export function callSql(fn: ServerFunction): string {
  const parameters = parameterTypes(fn.sql).map((type, i) => `$${i + 1}::${type}`)
  return `SELECT * FROM ${fn.name}(${parameters.join(", ")})`
}

/** What an executor runs for `fn` (Executor.call): the call, and the statement it wraps. */
export function runnable(fn: ServerFunction): { call: string; sql: string } {
  return { call: callSql(fn), sql: fn.sql }
}

/** A checksum of what the function is: its name, its parameters, its result and its body. */
export function functionChecksum(fn: ServerFunction): string {
  return createHash("sha256").update(createFunctionSql(fn)).digest("hex").slice(0, 16)
}
