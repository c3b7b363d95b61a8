// The Stock page of medusa-inventory-typeorm for Medusa Admin 7.1 (a route extension: /a/stock,
// with a sidebar entry). Plain modern JavaScript like the widget beside it (@medusajs/admin
// bundles a plugin's dist/admin as it is): React, react-router-dom, @tanstack/react-query and
// medusa-react are the dashboard's own copies. Every part talks to the plugin's admin routes
// under /admin/stock and /admin/inventory-items/:id/location-levels/:location_id.
import React from "react"
import { Link } from "react-router-dom"
import { useQueryClient } from "@tanstack/react-query"
import { useAdminCustomQuery, useAdminStockLocations, useMedusa } from "medusa-react"

const h = React.createElement
const KEY = "medusa-inventory-typeorm-stock"
const PAGE = 10
const STATES = [
  ["damaged", "Damaged"],
  ["quality_control", "Quality control"],
  ["safety_stock", "Safety stock"],
]
const REASONS = [
  "adjustment",
  "correction",
  "reservation",
  "release",
  "set_aside",
  "returned_to_stock",
  "discarded",
  "transfer_out",
  "transfer_in",
  "transfer_in_transit",
  "transfer_received",
  "transfer_loss",
  "cycle_count",
  "level_created",
  "level_deleted",
  "opening",
]

const card = "bg-grey-0 border-grey-20 rounded-rounded border px-xlarge py-large mb-large"
const cell = "py-xsmall pr-base text-left align-top"
const input = "border-grey-20 rounded-rounded border px-small py-xsmall inter-small-regular bg-grey-0"
const button = "btn btn-secondary btn-small"
const primary = "btn btn-primary btn-small"

function signed(n) {
  return n > 0 ? `+${n}` : String(n)
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
}

/** The message (and data) of a failed call to a route: axios's error with the route's JSON. */
function failure(error) {
  const body = (error && error.response && error.response.data) || {}
  return { status: error && error.response ? error.response.status : undefined, message: body.message || String((error && error.message) || error), data: body.data }
}

/** POST to a plugin route, then refetch everything the page shows. */
function usePost() {
  const { client } = useMedusa()
  const queryClient = useQueryClient()
  return async (path, body, headers) => {
    const result = await client.admin.custom.post(path, body, undefined, headers)
    await queryClient.invalidateQueries()
    return result
  }
}

function useLocationNames() {
  const { stock_locations } = useAdminStockLocations()
  const locations = stock_locations || []
  const names = new Map(locations.map((l) => [l.id, l.name]))
  return { locations, name: (id) => names.get(id) || id }
}

function Section({ id, title, subtitle, children }) {
  return h(
    "div",
    { className: card, "data-testid": id },
    h("h2", { className: "inter-large-semibold" }, title),
    subtitle ? h("p", { className: "inter-small-regular text-grey-50 mb-small" }, subtitle) : null,
    children
  )
}

function Table({ headers, rows, testid }) {
  return h(
    "table",
    { className: "inter-small-regular w-full", "data-testid": testid },
    h("thead", { className: "text-grey-50" }, h("tr", null, headers.map((title) => h("th", { key: title, className: cell }, title)))),
    h("tbody", null, rows)
  )
}

function Message({ message, testid }) {
  if (!message) return null
  const tone = message.error ? "text-rose-50" : "text-emerald-50"
  return h(
    "div",
    { className: `inter-small-regular mt-xsmall ${tone}`, "data-testid": testid },
    h("p", null, message.text),
    message.lines && message.lines.length ? h("ul", { className: "list-disc pl-large" }, message.lines.map((line, i) => h("li", { key: i }, line))) : null
  )
}

function Pager({ offset, count, limit, onPage, testid }) {
  if (!count) return null
  return h(
    "div",
    { className: "flex items-center gap-x-small mt-small inter-small-regular", "data-testid": testid },
    h("span", null, `${offset + 1}–${Math.min(offset + limit, count)} of ${count}`),
    h("button", { className: button, disabled: offset === 0, onClick: () => onPage(Math.max(0, offset - limit)) }, "Previous"),
    h("button", { className: button, disabled: offset + limit >= count, onClick: () => onPage(offset + limit) }, "Next")
  )
}

// ---------------------------------------------------------------- low stock

function LowStock({ name }) {
  const [offset, setOffset] = React.useState(0)
  const { data, isLoading } = useAdminCustomQuery("/stock/low-stock", [KEY, "low-stock", offset], { limit: PAGE, offset })
  let body
  if (isLoading || !data) body = h("p", { className: "inter-small-regular text-grey-50" }, "Loading…")
  else if (!data.levels.length) body = h("p", { className: "inter-small-regular text-grey-50" }, "No level is under its threshold.")
  else
    body = h(Table, {
      testid: "low-stock-table",
      headers: ["SKU", "Location", "Available", "Threshold"],
      rows: data.levels.map((l) =>
        h(
          "tr",
          { key: l.id, className: "border-grey-20 border-t", "data-testid": "low-stock-row" },
          h("td", { className: cell }, l.product_id ? h(Link, { to: `/a/products/${l.product_id}`, className: "text-violet-60" }, l.sku || l.inventory_item_id) : l.sku || l.inventory_item_id),
          h("td", { className: cell }, name(l.location_id)),
          h("td", { className: cell }, String(l.available_quantity)),
          h("td", { className: cell }, String(l.threshold))
        )
      ),
    })
  return h(
    Section,
    { id: "stock-low-stock", title: "Low stock", subtitle: "Levels whose available quantity (stocked − reserved) is under their threshold, most short first." },
    body,
    data ? h(Pager, { offset, count: data.count, limit: PAGE, onPage: setOffset, testid: "low-stock-pager" }) : null
  )
}

// ---------------------------------------------------------------- transfers

function LocationSelect({ value, onChange, locations, label, testid }) {
  return h(
    "label",
    { className: "flex flex-col inter-small-regular" },
    label,
    h(
      "select",
      { className: input, value, onChange: (e) => onChange(e.target.value), "data-testid": testid },
      h("option", { value: "" }, "Choose…"),
      locations.map((l) => h("option", { key: l.id, value: l.id }, l.name))
    )
  )
}

function TransferForm({ locations, items }) {
  const post = usePost()
  const [item, setItem] = React.useState("")
  const [from, setFrom] = React.useState("")
  const [to, setTo] = React.useState("")
  const [quantity, setQuantity] = React.useState("1")
  const [inTransit, setInTransit] = React.useState(true)
  const [message, setMessage] = React.useState(undefined)
  const submit = async (event) => {
    event.preventDefault()
    setMessage(undefined)
    try {
      const { transfer } = await post("/stock/transfers", {
        inventory_item_id: item,
        from_location_id: from,
        to_location_id: to,
        quantity: Number(quantity),
        in_transit: inTransit,
      })
      setMessage({ text: transfer.status === "in_transit" ? `${transfer.quantity} unit(s) in transit.` : `${transfer.quantity} unit(s) transferred.` })
    } catch (error) {
      setMessage({ error: true, text: failure(error).message })
    }
  }
  return h(
    "form",
    { onSubmit: submit, className: "flex flex-wrap items-end gap-small", "data-testid": "transfer-form" },
    h(
      "label",
      { className: "flex flex-col inter-small-regular" },
      "Item",
      h(
        "select",
        { className: input, value: item, onChange: (e) => setItem(e.target.value), "data-testid": "transfer-item" },
        h("option", { value: "" }, "Choose…"),
        items.map((i) => h("option", { key: i.id, value: i.id }, i.sku || i.title || i.id))
      )
    ),
    h(LocationSelect, { label: "From", value: from, onChange: setFrom, locations, testid: "transfer-from" }),
    h(LocationSelect, { label: "To", value: to, onChange: setTo, locations, testid: "transfer-to" }),
    h(
      "label",
      { className: "flex flex-col inter-small-regular" },
      "Quantity",
      h("input", { className: `${input} w-24`, type: "number", min: 1, value: quantity, onChange: (e) => setQuantity(e.target.value), "data-testid": "transfer-quantity" })
    ),
    h(
      "label",
      { className: "flex items-center gap-x-xsmall inter-small-regular py-xsmall" },
      h("input", { type: "checkbox", checked: inTransit, onChange: (e) => setInTransit(e.target.checked), "data-testid": "transfer-in-transit" }),
      "In transit"
    ),
    h("button", { type: "submit", className: primary, "data-testid": "transfer-submit" }, "Transfer"),
    h("div", { className: "w-full" }, h(Message, { message, testid: "transfer-message" }))
  )
}

function OpenTransfer({ transfer, name, sku }) {
  const post = usePost()
  const [received, setReceived] = React.useState(String(transfer.quantity))
  const [error, setError] = React.useState(undefined)
  const receive = async () => {
    setError(undefined)
    try {
      await post(`/stock/transfers/${transfer.id}/receive`, { received_quantity: Number(received) })
    } catch (e) {
      setError(failure(e).message)
    }
  }
  return h(
    "tr",
    { className: "border-grey-20 border-t", "data-testid": "open-transfer" },
    h("td", { className: cell }, sku(transfer.inventory_item_id)),
    h("td", { className: cell }, name(transfer.from_location_id)),
    h("td", { className: cell }, name(transfer.to_location_id)),
    h("td", { className: cell }, String(transfer.quantity)),
    h("td", { className: cell }, when(transfer.created_at)),
    h(
      "td",
      { className: cell },
      h("input", { className: `${input} w-20 mr-xsmall`, type: "number", min: 0, max: transfer.quantity, value: received, onChange: (e) => setReceived(e.target.value), "aria-label": "Received quantity", "data-testid": "receive-quantity" }),
      h("button", { className: button, onClick: receive, "data-testid": "receive-button" }, "Receive"),
      error ? h("p", { className: "text-rose-50" }, error) : null
    )
  )
}

function Transfers({ name, items }) {
  const { locations } = useLocationNames()
  const { data } = useAdminCustomQuery("/stock/transfers", [KEY, "transfers"], { status: "in_transit", limit: 50 })
  const skus = new Map(items.map((i) => [i.id, i.sku || i.title || i.id]))
  const sku = (id) => skus.get(id) || id
  const open = (data && data.transfers) || []
  return h(
    Section,
    { id: "stock-transfers", title: "Transfers", subtitle: "Move units between locations, at once or in transit (into the destination's incoming quantity until received)." },
    h(TransferForm, { locations, items }),
    h("h3", { className: "inter-base-semibold mt-large mb-xsmall" }, "In transit"),
    open.length
      ? h(Table, {
          testid: "open-transfers",
          headers: ["SKU", "From", "To", "Quantity", "Sent", "Receive"],
          rows: open.map((t) => h(OpenTransfer, { key: t.id, transfer: t, name, sku })),
        })
      : h("p", { className: "inter-small-regular text-grey-50", "data-testid": "no-open-transfers" }, "No transfer is in transit.")
  )
}

// ---------------------------------------------------------------- set aside, per level

function LevelRow({ level, name }) {
  const post = usePost()
  const [state, setState] = React.useState("damaged")
  const [action, setAction] = React.useState("set-aside")
  const [quantity, setQuantity] = React.useState("1")
  const [error, setError] = React.useState(undefined)
  const apply = async () => {
    setError(undefined)
    const path = `/inventory-items/${level.inventory_item_id}/location-levels/${level.location_id}/${action === "set-aside" ? "set-aside" : "release"}`
    const body = { state, quantity: Number(quantity) }
    if (action !== "set-aside") body.to = action === "return" ? "stocked" : "discard"
    try {
      await post(path, body)
    } catch (e) {
      setError(failure(e).message)
    }
  }
  const u = level.unavailable
  return h(
    "tr",
    { className: "border-grey-20 border-t", "data-testid": "stock-level", "data-sku": level.sku || "", "data-location": name(level.location_id) },
    h("td", { className: cell }, level.sku || level.inventory_item_id),
    h("td", { className: cell }, name(level.location_id)),
    h("td", { className: cell, "data-testid": "level-stocked" }, String(level.stocked_quantity)),
    h("td", { className: cell }, String(level.reserved_quantity)),
    h("td", { className: cell, "data-testid": "level-available" }, String(level.available_quantity)),
    h("td", { className: cell }, String(level.incoming_quantity)),
    h("td", { className: cell, "data-testid": "level-unavailable" }, `${u.damaged} / ${u.quality_control} / ${u.safety_stock}`),
    h(
      "td",
      { className: cell },
      h(
        "div",
        { className: "flex gap-x-xsmall" },
        h(
          "select",
          { className: input, value: action, onChange: (e) => setAction(e.target.value), "aria-label": "Action", "data-testid": "level-action" },
          h("option", { value: "set-aside" }, "Set aside"),
          h("option", { value: "return" }, "Return to stock"),
          h("option", { value: "discard" }, "Discard")
        ),
        h(
          "select",
          { className: input, value: state, onChange: (e) => setState(e.target.value), "aria-label": "State", "data-testid": "level-state" },
          STATES.map(([value, label]) => h("option", { key: value, value }, label))
        ),
        h("input", { className: `${input} w-16`, type: "number", min: 1, value: quantity, onChange: (e) => setQuantity(e.target.value), "aria-label": "Quantity", "data-testid": "level-quantity" }),
        h("button", { className: button, onClick: apply, "data-testid": "level-apply" }, "Apply")
      ),
      error ? h("p", { className: "text-rose-50", "data-testid": "level-error" }, error) : null
    )
  )
}

function SetAside({ name }) {
  const [q, setQ] = React.useState("")
  const [offset, setOffset] = React.useState(0)
  const { data } = useAdminCustomQuery("/stock/levels", [KEY, "levels", q, offset], { q: q || undefined, limit: PAGE, offset })
  return h(
    Section,
    {
      id: "stock-set-aside",
      title: "Units set aside",
      subtitle: "Per level: set units aside as damaged, in quality control or safety stock (they leave stocked), return them to stock or discard them. Set aside: damaged / quality control / safety stock.",
    },
    h("input", { className: `${input} mb-small`, placeholder: "Search SKU or title", value: q, onChange: (e) => (setQ(e.target.value), setOffset(0)), "data-testid": "levels-search" }),
    data
      ? h(Table, {
          testid: "levels-table",
          headers: ["SKU", "Location", "Stocked", "Reserved", "Available", "Incoming", "Set aside", ""],
          rows: data.levels.map((l) => h(LevelRow, { key: l.id, level: l, name })),
        })
      : null,
    data ? h(Pager, { offset, count: data.count, limit: PAGE, onPage: setOffset, testid: "levels-pager" }) : null
  )
}

// ---------------------------------------------------------------- cycle count

function CycleCount() {
  const post = usePost()
  const [file, setFile] = React.useState(undefined)
  const [diff, setDiff] = React.useState(undefined)
  const [message, setMessage] = React.useState(undefined)
  const choose = async (event) => {
    const chosen = event.target.files && event.target.files[0]
    setDiff(undefined)
    setMessage(undefined)
    if (!chosen) return
    const csv = await chosen.text()
    setFile({ name: chosen.name, csv })
    try {
      setDiff(await post("/stock/counts/preview", { csv }))
    } catch (error) {
      const { message: text, data } = failure(error)
      setMessage({ error: true, text, lines: data && data.errors ? data.errors.map((e) => `line ${e.line}: ${e.message}`) : [] })
    }
  }
  const apply = async () => {
    setMessage(undefined)
    try {
      const result = await post("/stock/counts/apply", { csv: file.csv, expected: diff.rows.map((r) => r.current) })
      setMessage({ text: result.replayed ? `${file.name} was applied before: nothing was written.` : `Applied ${file.name}: ${result.changed} level(s) changed.` })
      setDiff(undefined)
    } catch (error) {
      const { message: text, data } = failure(error)
      setMessage({
        error: true,
        text,
        lines: data && data.rows ? data.rows.map((r) => `line ${r.line}: ${r.sku || r.inventory_item_id} — the diff showed ${r.expected}, it is now ${r.current}`) : [],
      })
    }
  }
  const changes = diff ? diff.rows.filter((r) => r.delta !== 0) : []
  return h(
    Section,
    { id: "stock-count", title: "Cycle count", subtitle: "Upload a CSV file with the columns sku (or inventory_item_id), location_id and counted: check the diff, then apply it." },
    h("input", { type: "file", accept: ".csv,text/csv", onChange: choose, "data-testid": "count-file" }),
    diff
      ? h(
          "div",
          { className: "mt-small", "data-testid": "count-diff" },
          h("p", { className: "inter-small-regular mb-xsmall" }, `${diff.rows.length} row(s), ${changes.length} change(s).`),
          h(Table, {
            testid: "count-diff-table",
            headers: ["Line", "SKU", "Location", "Current", "Counted", "Delta"],
            rows: diff.rows.map((r) =>
              h(
                "tr",
                { key: r.line, className: "border-grey-20 border-t" },
                h("td", { className: cell }, String(r.line)),
                h("td", { className: cell }, r.sku || r.inventory_item_id),
                h("td", { className: cell }, r.location_id),
                h("td", { className: cell }, String(r.current)),
                h("td", { className: cell }, String(r.counted)),
                h("td", { className: cell }, signed(r.delta))
              )
            ),
          }),
          h("button", { className: `${primary} mt-small`, onClick: apply, "data-testid": "count-apply" }, "Apply count")
        )
      : null,
    h(Message, { message, testid: "count-message" })
  )
}

// ---------------------------------------------------------------- movement log

function Movements({ name, locations }) {
  const [filters, setFilters] = React.useState({ reason: "", location_id: "", sku: "", from: "", to: "" })
  const [offset, setOffset] = React.useState(0)
  const query = { limit: PAGE, offset }
  for (const [key, value] of Object.entries(filters)) if (value) query[key] = value
  const { data, isError } = useAdminCustomQuery("/stock/movements", [KEY, "movements", JSON.stringify(query)], query)
  const set = (key) => (event) => {
    setFilters({ ...filters, [key]: event.target.value })
    setOffset(0)
  }
  const field = (label, control) => h("label", { className: "flex flex-col inter-small-regular" }, label, control)
  const delta = (m) =>
    [
      m.stocked_delta ? `${signed(m.stocked_delta)} stocked` : null,
      m.reserved_delta ? `${signed(m.reserved_delta)} reserved` : null,
      m.incoming_delta ? `${signed(m.incoming_delta)} incoming` : null,
      m.damaged_delta ? `${signed(m.damaged_delta)} damaged` : null,
      m.quality_control_delta ? `${signed(m.quality_control_delta)} quality control` : null,
      m.safety_stock_delta ? `${signed(m.safety_stock_delta)} safety stock` : null,
    ]
      .filter(Boolean)
      .join(", ")
  return h(
    Section,
    { id: "stock-movements", title: "Movement log", subtitle: "Every change of every item's stock, newest first." },
    h(
      "div",
      { className: "flex flex-wrap gap-small mb-small", "data-testid": "movement-filters" },
      field(
        "Reason",
        h("select", { className: input, value: filters.reason, onChange: set("reason"), "data-testid": "filter-reason" }, h("option", { value: "" }, "All"), REASONS.map((r) => h("option", { key: r, value: r }, r)))
      ),
      field(
        "Location",
        h("select", { className: input, value: filters.location_id, onChange: set("location_id"), "data-testid": "filter-location" }, h("option", { value: "" }, "All"), locations.map((l) => h("option", { key: l.id, value: l.id }, l.name)))
      ),
      field("SKU", h("input", { className: input, value: filters.sku, onChange: set("sku"), placeholder: "Exact SKU", "data-testid": "filter-sku" })),
      field("From", h("input", { className: input, type: "date", value: filters.from, onChange: set("from"), "data-testid": "filter-from" })),
      field("To (exclusive)", h("input", { className: input, type: "date", value: filters.to, onChange: set("to"), "data-testid": "filter-to" }))
    ),
    isError
      ? h("p", { className: "inter-small-regular text-rose-50" }, "The movement log could not be loaded.")
      : data
        ? h(Table, {
            testid: "movements-table",
            headers: ["Time", "SKU", "Location", "Reason", "Change", "Stocked after", "Reference"],
            rows: data.movements.map((m) =>
              h(
                "tr",
                { key: m.id, className: "border-grey-20 border-t", "data-testid": "movement-row" },
                h("td", { className: cell }, when(m.created_at)),
                h("td", { className: cell }, m.sku || m.inventory_item_id),
                h("td", { className: cell }, name(m.location_id)),
                h("td", { className: cell }, m.state ? `${m.reason} (${m.state})` : m.reason),
                h("td", { className: cell }, delta(m)),
                h("td", { className: cell }, String(m.stocked_after)),
                h("td", { className: cell }, m.reference || "")
              )
            ),
          })
        : h("p", { className: "inter-small-regular text-grey-50" }, "Loading…"),
    data ? h(Pager, { offset, count: data.count, limit: PAGE, onPage: setOffset, testid: "movements-pager" }) : null
  )
}

// ---------------------------------------------------------------- the page

export function StockPage() {
  const { locations, name } = useLocationNames()
  // The items to transfer: those stocked somewhere, by sku.
  const { data } = useAdminCustomQuery("/stock/levels", [KEY, "items"], { limit: 1000 })
  const items = []
  const seen = new Set()
  for (const level of (data && data.levels) || []) {
    if (seen.has(level.inventory_item_id)) continue
    seen.add(level.inventory_item_id)
    items.push({ id: level.inventory_item_id, sku: level.sku, title: level.title })
  }
  items.sort((a, b) => String(a.sku).localeCompare(String(b.sku)))
  return h(
    "div",
    { "data-testid": "stock-page" },
    h("h1", { className: "inter-xlarge-semibold mb-large" }, "Stock"),
    h(LowStock, { name }),
    h(Transfers, { name, items }),
    h(SetAside, { name }),
    h(CycleCount),
    h(Movements, { name, locations })
  )
}

/** The sidebar's icon: a box. */
export function StockIcon() {
  return h(
    "svg",
    { width: 20, height: 20, viewBox: "0 0 20 20", fill: "none", stroke: "currentColor", strokeWidth: 1.5, strokeLinejoin: "round" },
    h("path", { d: "M3 6.5 10 3l7 3.5v7L10 17l-7-3.5z" }),
    h("path", { d: "M3 6.5 10 10l7-3.5M10 10v7" })
  )
}
