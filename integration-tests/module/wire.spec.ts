import { Client } from "pg"
import { arrayLiteral, encodeParameters, parseTimestamptz, resultTypesFor } from "../../src/db/wire"
import { setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * The module writes array parameters and reads timestamps faster than the driver does
 * (src/db/wire.ts). Both must come to exactly what the driver's own encoding and parsing
 * come to, on a real server: checked here value by value.
 */
describe("wire: array parameters and timestamptz results", () => {
  let db: TestDatabase
  let client: Client

  beforeAll(async () => {
    db = await setupTestDatabase("mit_wire")
    client = new Client({ connectionString: db.url })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await db?.close()
  })

  /** The server's reading of `value` as `cast`, sent as the module sends it and as the driver does. */
  async function both(value: unknown[], cast: string): Promise<[unknown, unknown]> {
    const sql = `SELECT $1::${cast} AS v`
    const ours = await client.query(sql, encodeParameters([value]))
    const driver = await client.query(sql, [value])
    return [ours.rows[0].v, driver.rows[0].v]
  }

  const awkward = [
    "plain",
    "",
    "NULL",
    "null",
    'with "double" quotes',
    "back\\slash and \\\\ two",
    "ends with a backslash\\",
    "comma, {braces} and [brackets]",
    "  spaces around  ",
    "single ' quote",
    "ünïcödé ✓ 日本語 🚀",
    "\u2028line and paragraph separators\u2029",
    "slash / and escaped-looking \\n text",
  ]

  it("text arrays of awkward strings and nulls read the same, written as literals", async () => {
    const value = [...awkward, null, undefined, "after the nulls"]
    expect(typeof encodeParameters([value])[0]).toBe("string")
    const [ours, driver] = await both(value, "text[]")
    expect(ours).toEqual(driver)
    expect(ours).toEqual([...awkward, null, null, "after the nulls"])
  })

  it("each awkward string alone, and empty arrays", async () => {
    for (const s of awkward) {
      const [ours, driver] = await both([s], "text[]")
      expect(ours).toEqual(driver)
    }
    const [ours, driver] = await both([], "text[]")
    expect(ours).toEqual(driver)
    expect(ours).toEqual([])
  })

  it("integers, booleans and jsonb texts read the same", async () => {
    expect(await both([0, -1, 2147483647, -2147483648, null], "int[]")).toEqual([[0, -1, 2147483647, -2147483648, null], [0, -1, 2147483647, -2147483648, null]])
    const [bigOurs, bigDriver] = await both([9007199254740991, -3], "bigint[]")
    expect(bigOurs).toEqual(bigDriver)
    const [floatOurs, floatDriver] = await both([1.5, -0.25, 1e21, 3e-7], "float8[]")
    expect(floatOurs).toEqual(floatDriver)
    expect(await both([true, false, null], "boolean[]")).toEqual([[true, false, null], [true, false, null]])
    const json = [JSON.stringify({ a: 'quote " and \\ slash', b: [1, { c: "new\nline" }] }), null, JSON.stringify("just a string")]
    const [jsonOurs, jsonDriver] = await both(json, "jsonb[]")
    expect(jsonOurs).toEqual(jsonDriver)
  })

  it("two-dimensional arrays padded with nulls (the batched sums' locations) read the same", async () => {
    const value = [
      ["loc_1", null, null],
      ["loc,2", 'loc "3"', "loc\\4"],
    ]
    expect(typeof encodeParameters([value])[0]).toBe("string")
    const [ours, driver] = await both(value, "text[][]")
    expect(ours).toEqual(driver)
  })

  it("leaves to the driver what JSON would write differently: control characters, non-finite numbers, Dates, objects, ragged nesting", async () => {
    for (const value of [["tab\there"], ["new\nline"], ["nul \u0001 char"], [Number.NaN], [Infinity], [new Date(0)], [{ a: 1 }], [["a"], "b"], [["a"], null]]) {
      expect(arrayLiteral(value as unknown[])).toBeUndefined()
    }
    const [ours, driver] = await both(["tab\there", "new\nline", "bell \u0007"], "text[]")
    expect(ours).toEqual(driver)
    expect(ours).toEqual(["tab\there", "new\nline", "bell \u0007"])
    // Scalars and other parameters pass through untouched.
    const params = ["x", 1, null, true]
    expect(encodeParameters(params)).toBe(params)
  })

  it("timestamptz: the fast parser reads every server output as the driver's parser does, in any session time zone", async () => {
    const types = resultTypesFor(client)
    expect(types).toBeDefined()
    for (const zone of ["UTC", "Asia/Kolkata", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Europe/Amsterdam"]) {
      await client.query(`SET TIME ZONE '${zone}'`)
      const sql = `SELECT ts FROM (
           SELECT timestamptz '1000-01-01 00:00:00+00' + (random() * (timestamptz '9999-12-31 00:00:00+00' - timestamptz '1000-01-01 00:00:00+00')) AS ts
             FROM generate_series(1, 2000)
           UNION ALL SELECT date_trunc('second', now()) UNION ALL SELECT date_trunc('milliseconds', now()) UNION ALL SELECT now()
           UNION ALL SELECT timestamptz '1883-11-18 12:00:00 America/New_York' UNION ALL SELECT timestamptz '2024-02-29 23:59:59.999999+00'
         ) x`
      const { rows: text } = await client.query({ text: `SELECT ts::text AS t FROM (${sql}) y`, rowMode: "array" })
      const driver = client.getTypeParser(1184, "text")
      const differing = (text as [string][]).filter(([t]) => parseTimestamptz(t)?.getTime() !== (driver(t) as Date).getTime())
      expect(differing).toEqual([])
      expect(text.length).toBe(2005)
      // And through the types the executor passes with a query.
      const { rows } = await client.query<{ a: Date; b: Date }>({ text: `SELECT now() AS a, timestamptz '2001-02-03 04:05:06.789+02' AS b`, types: types! } as never)
      expect(rows[0].b).toEqual(new Date("2001-02-03T02:05:06.789Z"))
      expect(rows[0].a).toBeInstanceOf(Date)
    }
    await client.query(`SET TIME ZONE 'UTC'`)
  })

  it("timestamptz forms it does not read go to the driver's parser: infinity, BC, five-digit years", async () => {
    const { rows } = await client.query<Record<string, unknown>>({
      text: `SELECT 'infinity'::timestamptz AS a, '-infinity'::timestamptz AS b, '0044-03-15 12:00:00+00 BC'::timestamptz AS c, '12345-01-01 00:00:00+00'::timestamptz AS d`,
      types: resultTypesFor(client)!,
    } as never)
    const { rows: plain } = await client.query(`SELECT 'infinity'::timestamptz AS a, '-infinity'::timestamptz AS b, '0044-03-15 12:00:00+00 BC'::timestamptz AS c, '12345-01-01 00:00:00+00'::timestamptz AS d`)
    expect(rows[0]).toEqual(plain[0])
    expect(parseTimestamptz("0044-03-15 12:00:00+00 BC")).toBeUndefined()
    expect(parseTimestamptz("infinity")).toBeUndefined()
  })

  it("a connection whose timestamp parser is not the driver's default keeps its own", async () => {
    const own = new Client({ connectionString: db.url })
    await own.connect()
    try {
      own.setTypeParser(1184, "text", (text: string) => `as text: ${text}`)
      expect(resultTypesFor(own)).toBeUndefined()
    } finally {
      await own.end()
    }
  })
})
