// A subscriber that logs one stock alert of medusa-inventory-typeorm, one line each:
//   [stock-alert] inventory-level.low-stock {"id":"ilev_…","available_quantity":3,"threshold":5,…}
// A store would notify its buyers here (e-mail, Slack, a purchase order in its ERP).
// The local event bus passes no event name to subscribers, hence one subscriber per event.
module.exports = function stockAlertSubscriber(event) {
  const handler = async function ({ data }) {
    console.log(`[stock-alert] ${event} ${JSON.stringify(data)}`)
  }
  handler.default = handler
  handler.config = { event, context: { subscriberId: `stock-alert-${event}` } }
  return handler
}
