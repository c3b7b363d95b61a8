// Logs inventory-level.back-in-stock (see ../lib/stock-alert.js).
module.exports = require("../lib/stock-alert")("inventory-level.back-in-stock")
