// Logs the payload of every inventory event the module emits, one line each, for the
// end-to-end tests and for a person watching the example app. Plain JavaScript in dist/, where
// Medusa 1.20 loads a project's subscribers from, so the example needs no build step.
const EVENTS = [
  "inventory-item.created",
  "inventory-item.updated",
  "inventory-item.deleted",
  "inventory-item.restored",
  "inventory-level.created",
  "inventory-level.updated",
  "inventory-level.deleted",
  "inventory-level.restored",
  "reservation-item.created",
  "reservation-item.updated",
  "reservation-item.deleted",
]

// (The local event bus passes no event name to subscribers; it logs the name itself.)
module.exports = async function inventoryEventLogger({ data }) {
  console.log(`[inventory-event] ${JSON.stringify(data)}`)
}
module.exports.default = module.exports
module.exports.config = { event: EVENTS, context: { subscriberId: "inventory-event-logger" } }
