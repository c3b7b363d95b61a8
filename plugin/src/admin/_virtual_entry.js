// The admin extensions of medusa-inventory-typeorm for Medusa Admin 7.1 (Medusa 1.20): the
// stock-history widget (below) and the Stock page (./stock-page.js, a route with a sidebar entry).
// @medusajs/admin bundles a plugin's dist/admin/_virtual_entry.js as it is (it transpiles only
// its own cache directory), so this file is plain modern JavaScript: no JSX, no TypeScript.
// React and medusa-react are the dashboard's own copies (its webpack aliases them).
import React from "react"
import { useAdminCustomQuery, useAdminStockLocations, useAdminVariantsInventory } from "medusa-react"
import { StockIcon, StockPage } from "./stock-page"

const h = React.createElement
const LIMIT = 10

function signed(n) {
  return n > 0 ? `+${n}` : String(n)
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
}

const cell = "py-xsmall pr-base text-left"

/**
 * The latest movements of one inventory item, all locations. The item's current quantities are
 * part of the query key: when the dashboard refetches the variant's inventory after a change
 * (the "Manage inventory" dialog, say), the history is fetched again too.
 */
function ItemHistory({ item, locationName }) {
  const quantities = (item.location_levels || []).map((l) => `${l.location_id}:${l.stocked_quantity}:${l.reserved_quantity}`).join(",")
  const { data, isLoading, isError } = useAdminCustomQuery(
    `/inventory-items/${item.id}/movements`,
    ["medusa-inventory-typeorm", "movements", item.id, quantities],
    { limit: LIMIT },
    { refetchOnMount: "always" }
  )
  let body
  if (isLoading) body = h("p", { className: "inter-small-regular text-grey-50" }, "Loading…")
  else if (isError) body = h("p", { className: "inter-small-regular text-rose-50" }, "The stock history could not be loaded.")
  else if (!data.movements.length) body = h("p", { className: "inter-small-regular text-grey-50" }, "No stock movements yet.")
  else
    body = h(
      "table",
      { className: "inter-small-regular w-full" },
      h(
        "thead",
        { className: "text-grey-50" },
        h(
          "tr",
          null,
          ["Time", "Location", "Reason", "Delta", "After", "Reference"].map((title) => h("th", { key: title, className: cell }, title))
        )
      ),
      h(
        "tbody",
        null,
        data.movements.map((m) =>
          h(
            "tr",
            { key: m.id, "data-testid": "stock-movement", className: "border-grey-20 border-t" },
            h("td", { className: cell }, when(m.created_at)),
            h("td", { className: cell }, locationName(m.location_id)),
            h("td", { className: cell, "data-testid": "stock-movement-reason" }, m.reason),
            h(
              "td",
              { className: cell, "data-testid": "stock-movement-delta" },
              [m.stocked_delta ? `${signed(m.stocked_delta)} stocked` : null, m.reserved_delta ? `${signed(m.reserved_delta)} reserved` : null]
                .filter(Boolean)
                .join(", ")
            ),
            h("td", { className: cell, "data-testid": "stock-movement-after" }, `${m.stocked_after} stocked, ${m.reserved_after} reserved`),
            h("td", { className: cell }, m.reference || "")
          )
        )
      )
    )
  return h(
    "div",
    { className: "mt-base", "data-testid": `stock-history-${item.id}` },
    h("h3", { className: "inter-base-semibold mb-xsmall" }, item.sku || item.title || item.id),
    body,
    data && data.count > LIMIT ? h("p", { className: "inter-small-regular text-grey-50 mt-xsmall" }, `Latest ${LIMIT} of ${data.count}`) : null
  )
}

/** The inventory items of one variant (usually one). */
function VariantHistory({ variant, locationName }) {
  const { variant: inventory, isLoading } = useAdminVariantsInventory(variant.id)
  if (isLoading || !inventory) return null
  return h(
    React.Fragment,
    null,
    (inventory.inventory || []).map((item) => h(ItemHistory, { key: item.id, item, locationName }))
  )
}

function StockHistoryWidget({ product }) {
  const { stock_locations } = useAdminStockLocations()
  const names = new Map((stock_locations || []).map((l) => [l.id, l.name]))
  const locationName = (id) => names.get(id) || id
  const variants = (product && product.variants) || []
  return h(
    "div",
    { className: "bg-grey-0 border-grey-20 rounded-rounded border px-xlarge py-large", "data-testid": "stock-history-widget" },
    h("h2", { className: "inter-xlarge-semibold" }, "Stock history"),
    h(
      "p",
      { className: "inter-small-regular text-grey-50" },
      "Every change of stocked and reserved quantities, newest first (medusa-inventory-typeorm)."
    ),
    variants.map((variant) => h(VariantHistory, { key: variant.id, variant, locationName }))
  )
}

export default {
  identifier: "medusa-inventory-typeorm",
  extensions: [
    { Component: StockHistoryWidget, config: { type: "widget", zone: "product.details.after" } },
    { Component: StockPage, config: { type: "route", path: "/stock", link: { label: "Stock", icon: StockIcon } } },
  ],
}
