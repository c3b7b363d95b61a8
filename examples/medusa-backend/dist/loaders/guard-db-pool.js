// Medusa 1.20 runs the project's dist/loaders/*.js once its database and modules are up. This
// one guards Medusa's own connection pool, which the inventory module shares (Medusa 1.20's
// default, shared resources): every pooled client gets an error listener of its own, so that
// a database restart or a dropped connection never reaches Node as an unhandled 'error' event
// (a client the pool is handing out when the server goes away has none; the process dies).
// See docs/deployment.md, "Lost connections".
const { guardPool } = require("medusa-inventory-typeorm")

exports.default = async function guardDatabasePool(container) {
  const logger = container.resolve("logger")
  const pool = container.resolve("manager").connection.driver.master
  guardPool(pool, (error) => logger.warn(`database connection lost: ${error.message}`))
  logger.info("medusa-inventory-typeorm: Medusa's database pool is guarded (connection errors are logged, never thrown)")
}
