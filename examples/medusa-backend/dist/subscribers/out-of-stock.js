// Logs inventory-level.out-of-stock (see ../lib/stock-alert.js).
module.exports = require("../lib/stock-alert")("inventory-level.out-of-stock")
