import { encodeTime, newId, newIds, nextUlid, ulidAt } from "../../src/utils/ids"

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

/** The module's ULIDs (src/utils/ids.ts): the format Medusa's ids have, monotonic within a process. */
describe("ids", () => {
  it("are prefixed ULIDs whose first 10 characters are the time", () => {
    const before = Date.now()
    const id = newId("resitem")
    const after = Date.now()
    expect(id).toMatch(/^resitem_[0-9A-HJKMNP-TV-Z]{26}$/)
    const time = id.slice("resitem_".length, "resitem_".length + 10)
    expect(time >= encodeTime(before) && time <= encodeTime(after)).toBe(true)
    // Crockford base 32 of the milliseconds, as the ulid specification's example: 01ARYZ6S41 is 1469918176385.
    expect(encodeTime(1469918176385)).toBe("01ARYZ6S41")
  })

  it("sort in the order they were made, without repeats, across milliseconds and within one", () => {
    const ids = [...newIds("ilev", 50_000), ...newIds("ilev", 50_000)]
    expect(new Set(ids).size).toBe(ids.length)
    for (let i = 1; i < ids.length; i++) if (!(ids[i] > ids[i - 1])) throw new Error(`${ids[i - 1]} then ${ids[i]}`)
    expect(ids.every((id) => ULID.test(id.slice(5)))).toBe(true)
  })

  it("carry through the random part when its last characters are at their end", () => {
    // Many ids in one millisecond: the increments cross character boundaries.
    const many = Array.from({ length: 5000 }, () => nextUlid())
    const sameMs = many.filter((id) => id.slice(0, 10) === many[0].slice(0, 10))
    for (let i = 1; i < sameMs.length; i++) expect(sameMs[i] > sameMs[i - 1]).toBe(true)
  })

  it("ulidAt stamps a given time with fresh randomness", () => {
    const a = ulidAt(1469918176385)
    const b = ulidAt(1469918176385)
    expect(a.slice(0, 10)).toBe("01ARYZ6S41")
    expect(a).toMatch(ULID)
    expect(a).not.toBe(b)
  })
})
