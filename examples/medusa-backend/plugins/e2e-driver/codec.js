// JSON cannot carry `undefined`, Dates or NaN, and the tests need all three: an argument left
// `undefined` is exactly what Medusa's own code passes. The same encoding is implemented by
// integration-tests/medusa/driver.ts on the test side.
function encode(value) {
  if (value === undefined) return { $undefined: true }
  if (value instanceof Date) return { $date: value.toISOString() }
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) }
  if (Array.isArray(value)) return value.map(encode)
  if (value && typeof value === "object") {
    const out = {}
    for (const [key, inner] of Object.entries(value)) out[key] = encode(inner)
    return out
  }
  return value
}

/** `markers` maps a marker name to what it stands for (e.g. the call's transaction manager). */
function decode(value, markers = {}) {
  if (Array.isArray(value)) return value.map((inner) => decode(inner, markers))
  if (value && typeof value === "object") {
    if (value.$undefined === true) return undefined
    if (typeof value.$date === "string") return new Date(value.$date)
    if (typeof value.$number === "string") return Number(value.$number)
    if (typeof value.$marker === "string") {
      if (!(value.$marker in markers)) throw new Error(`unknown marker ${value.$marker}`)
      return markers[value.$marker]
    }
    const out = {}
    for (const [key, inner] of Object.entries(value)) out[key] = decode(inner, markers)
    return out
  }
  return value
}

module.exports = { encode, decode }
