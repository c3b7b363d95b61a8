export { default as connectionLoader } from "./connection"
export { default as containerLoader } from "./container"
