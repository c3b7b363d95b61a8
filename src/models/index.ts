export { InventoryItem } from "./inventory-item"
export { InventoryLevel } from "./inventory-level"
export { ReservationItem } from "./reservation-item"
export { InventoryMovement } from "./inventory-movement"
