// Logs inventory-level.low-stock (see ../lib/stock-alert.js).
module.exports = require("../lib/stock-alert")("inventory-level.low-stock")
