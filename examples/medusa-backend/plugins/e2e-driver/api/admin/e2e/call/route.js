// POST /admin/e2e/call  { service, method, args, transaction? }
//
// Resolves `service` from the request's Medusa container and calls `method(...args)` on it,
// the way a store's custom endpoint, subscriber or plugin does, and answers 200 with either
// { result } or { error: { name, type, code, message } }, so that the tests compare the two
// modules' answers as a caller sees them. With `transaction: true` the call runs inside a
// transaction of Medusa's own manager, and the marker { $marker: "transactionManager" } in the
// arguments stands for that transaction's EntityManager (as Medusa's services pass it).
// Admin routes are authenticated by Medusa; the plugin is loaded only for the e2e tests.
const { encode, decode } = require("../../../../codec")

async function POST(req, res) {
  const { service, method, args = [], transaction = false } = req.body ?? {}
  let target
  try {
    target = req.scope.resolve(service)
  } catch {
    return res.status(404).json({ message: `no service ${service} in the container` })
  }
  if (typeof target?.[method] !== "function") {
    return res.status(404).json({ message: `${service} has no method ${method}` })
  }
  const run = (markers) => target[method](...decode(args, markers))
  try {
    const result = transaction
      ? await req.scope.resolve("manager").transaction((transactionManager) => run({ transactionManager }))
      : await run({})
    res.json({ result: encode(result) })
  } catch (error) {
    res.json({
      error: {
        name: error?.name,
        type: error?.type,
        code: error?.code,
        message: String(error?.message ?? error),
      },
    })
  }
}

module.exports = { POST }
