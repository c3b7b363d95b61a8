// A dependency-free SVG bar chart of the benchmark: each workload's cost as a multiple of
// hand-written SQL (1.0 = as fast as raw SQL; lower is better), ours beside the official module.
const COLORS = { ours: "#2f7d32", official: "#b0413e" }

function escapeXml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
}

function renderChart(report) {
  const rows = report.results
  const rowHeight = 46
  const left = 250
  const width = 900
  const top = 60
  const height = top + rows.length * rowHeight + 50
  const max = Math.max(
    2,
    ...rows.flatMap((r) => ["ours", "official"].map((n) => (r.contenders[n] && r.contenders[n].xRaw) || 0))
  )
  // Log scale from 0.5× to max, so 1.2× and 50× both read.
  const lo = Math.log(0.5)
  const hi = Math.log(max * 1.2)
  const x = (v) => left + ((Math.log(Math.max(v, 0.5)) - lo) / (hi - lo)) * (width - left - 90)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">Cost as a multiple of hand-written SQL (log scale, lower is better)</text>`,
    `<text x="10" y="38" fill="#555">${escapeXml(`${report.date.slice(0, 10)} · ${report.machine.cpus} cores · PostgreSQL ${report.postgres} · scale ${report.scale} · ${report.rounds} rounds, medians`)}</text>`,
  ]
  for (const tick of [1, 2, 5, 10, 20, 50, 100].filter((t) => t <= max * 1.2)) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${top - 8}" y2="${height - 40}" stroke="#ddd"/>`)
    parts.push(`<text x="${x(tick)}" y="${height - 26}" text-anchor="middle" fill="#555">${tick}×</text>`)
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight
    parts.push(`<text x="10" y="${y + 18}">${escapeXml(row.id)}</text>`)
    ;["ours", "official"].forEach((name, j) => {
      const c = row.contenders[name]
      const by = y + j * 18
      if (!c || c.failed) {
        parts.push(`<text x="${left + 4}" y="${by + 13}" fill="${COLORS[name]}">${name}: ${c && c.failed ? "fails" : "n/a"}</text>`)
        return
      }
      const w = Math.max(1, x(c.xRaw) - left)
      parts.push(`<rect x="${left}" y="${by}" width="${w}" height="15" fill="${COLORS[name]}"/>`)
      parts.push(`<text x="${left + w + 4}" y="${by + 12}">${name} ${c.xRaw.toFixed(2)}×</text>`)
    })
  })
  parts.push(`</svg>`)
  return parts.join("\n") + "\n"
}

module.exports = { renderChart }
