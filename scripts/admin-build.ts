import { ChildProcess, spawn } from "child_process"
import { createHash } from "crypto"
import fs from "fs"
import { createRequire } from "module"
import path from "path"
import { createInterface } from "readline"
import { APP, lockOwner, withFileLock } from "./example-app"
import { groupResidentBytes, isRunning, signalGroup, stopGroup } from "./process-group"

/**
 * Medusa Admin, the dashboard of the example app, served by the `@medusajs/admin` plugin at
 * /app from a build folder (examples/medusa-backend/build, or MEDUSA_ADMIN_OUT_DIR): whether
 * the build there is up to date, a waiting page to serve until it is, and the build itself,
 * made in a side folder and swapped into place, so that a running server never serves half of
 * one.
 */

/** Where medusa-config.js mounts the dashboard. */
export const ADMIN_PATH = "/app"
const STAMP_FILE = ".inputs-stamp"
/** Present while `index.html` is the waiting page, not a build. */
const LOADER_MARKER_FILE = ".loader-page"
/** The `<meta name>` that tells the waiting page from the dashboard's own index.html. */
const LOADER_META = "medusa-admin-loader"
/** Every build writes the app's `.cache/` (webpack's entry and extensions): one at a time. */
const BUILD_LOCK = path.join(APP, ".admin-build.lock")

/** The build folder the server serves: MEDUSA_ADMIN_OUT_DIR, as medusa-config.js reads it. */
export function adminOutDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(APP, env.MEDUSA_ADMIN_OUT_DIR || "build")
}

/** `.build-next` beside `build`: where a build goes before it replaces the served one. */
function nextDir(outDir: string): string {
  return path.join(path.dirname(outDir), `.${path.basename(outDir).replace(/^\.+/, "")}-next`)
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? filesUnder(full) : [full]
    })
}

/** The installed admin UI (the dashboard's source): nested under @medusajs/admin, or hoisted. */
function adminUiPackageJson(): string {
  const candidates = [
    path.join(APP, "node_modules/@medusajs/admin/node_modules/@medusajs/admin-ui/package.json"),
    path.join(APP, "node_modules/@medusajs/admin-ui/package.json"),
  ]
  const found = candidates.find((file) => fs.existsSync(file))
  if (!found) throw new Error("@medusajs/admin-ui is not installed in examples/medusa-backend: install the example app first")
  return found
}

/**
 * The admin extensions the build bundles from plugins: `<package>/dist/admin` of each plugin
 * that medusa-config.js gives `enableUI: true`, found as `medusa-admin build` finds them.
 */
function pluginAdminDirs(): string[] {
  const configFile = path.join(APP, "medusa-config.js")
  // A CommonJS file that reads the environment: loaded afresh each time.
  const load = createRequire(configFile)
  delete load.cache[configFile]
  const { plugins = [] } = load(configFile) as { plugins?: unknown[] }
  return plugins.flatMap((plugin) => {
    const { resolve, options } = (typeof plugin === "object" && plugin !== null ? plugin : {}) as { resolve?: string; options?: { enableUI?: boolean } }
    if (!resolve || options?.enableUI !== true) return []
    try {
      return [path.join(path.dirname(load.resolve(`${resolve}/package.json`, { paths: [APP] })), "dist/admin")]
    } catch {
      return [] // as the build does: a plugin it cannot resolve brings nothing
    }
  })
}

/**
 * What a build is made from: the app's lockfile (every package version), medusa-config.js (the
 * plugin's options), the installed admin UI, the app's own `src/admin` (the webpack hook, and
 * any widgets), and the admin extensions of this package (`dist/admin`) and of the plugins
 * that enable their UI.
 */
export function adminInputsStamp(): string {
  const extensionDirs = new Set([path.join(APP, "node_modules/medusa-inventory-typeorm/dist/admin"), ...pluginAdminDirs()])
  const files = [
    path.join(APP, "package-lock.json"),
    path.join(APP, "medusa-config.js"),
    adminUiPackageJson(),
    ...filesUnder(path.join(APP, "src/admin")),
    ...[...extensionDirs].flatMap(filesUnder),
  ]
  const hash = createHash("sha256")
  for (const file of files) hash.update(path.relative(APP, file)).update("\0").update(fs.readFileSync(file)).update("\0")
  return hash.digest("hex")
}

export type AdminBuildState = "up-to-date" | "missing" | "stale"

/** "missing": no build (or the waiting page); "stale": a build of other inputs than today's. */
export function adminBuildState(outDir = adminOutDir()): AdminBuildState {
  if (!fs.existsSync(path.join(outDir, "index.html")) || fs.existsSync(path.join(outDir, LOADER_MARKER_FILE))) return "missing"
  const stampFile = path.join(outDir, STAMP_FILE)
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8") : ""
  return stamp === adminInputsStamp() ? "up-to-date" : "stale"
}

/**
 * The page the plugin serves until the dashboard is built. The plugin reads `index.html` once,
 * at boot, and answers /app and every deep link (/app/a/orders) with it for as long as the
 * server runs, while files (`/app/index.html`, the scripts) come from disk on each request. So
 * this page stays the answer to /app after the build, and it must open the dashboard itself:
 * it polls /app/index.html and, once that is the dashboard's, puts the dashboard's body,
 * styles and scripts in place of its own; the dashboard then routes by the address, deep
 * links included.
 */
export function loaderPage(state: "building" | "failed" = "building"): string {
  const note =
    state === "building"
      ? "<code>npm start</code> builds the dashboard once, beside the running server (about a minute), and reuses it on later starts. This page opens it when it is ready."
      : "The build failed: the terminal running <code>npm start</code> says why. The API is running; this page opens the dashboard once a build is there."
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="${LOADER_META}" content="${state}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Medusa Admin is being built</title>
<style id="${LOADER_META}-style">
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 15vh auto; padding: 0 1.5rem; color: #111827; }
  p { color: #4b5563; line-height: 1.5; }
  /* Hidden until the first look at /app/index.html: once the dashboard is built, this page
     only opens it, and should not flash its message on every load. */
  body.checking { visibility: hidden; }
</style>
</head>
<body class="checking">
<h1>Medusa Admin is being built</h1>
<p>${note}</p>
<script>
(function () {
  // /app/index.html is served with a year of caching: ask the server each time.
  function poll() {
    fetch("${ADMIN_PATH}/index.html", { cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : "" })
      .then(function (html) {
        if (html && html.indexOf('name="${LOADER_META}"') === -1) return open(html)
        wait()
      }, wait)
  }
  function wait() {
    document.body.classList.remove("checking")
    setTimeout(poll, 2000)
  }
  // The dashboard's page in place of this one: scripts made by createElement run (in order,
  // with async off), where scripts parsed into the page would not.
  function open(html) {
    var next = new DOMParser().parseFromString(html, "text/html")
    document.title = next.title
    document.getElementById("${LOADER_META}-style").remove()
    document.body.replaceWith(document.importNode(next.body, true))
    next.head.querySelectorAll("link, script").forEach(function (source) {
      var element = document.createElement(source.tagName)
      for (var i = 0; i < source.attributes.length; i++) element.setAttribute(source.attributes[i].name, source.attributes[i].value)
      if (source.tagName === "SCRIPT") { element.text = source.text; element.async = false }
      document.head.appendChild(element)
    })
  }
  poll()
})()
</script>
</body>
</html>
`
}

/**
 * Puts the waiting page in `outDir` (over a stale build's index.html, if any), so that the
 * server can start with the plugin before there is a build. The state then reads "missing".
 */
export function installLoaderPage(outDir = adminOutDir(), state: "building" | "failed" = "building"): void {
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(path.join(outDir, LOADER_MARKER_FILE), "")
  fs.writeFileSync(path.join(outDir, "index.html"), loaderPage(state))
}

export interface AdminBuildResult {
  seconds: number
  /** The most the build's process group held in memory at once (0 where /proc is missing). */
  peakMemoryBytes: number
}

export interface AdminBuildOptions {
  outDir?: string
  /** The build's progress, 0–100, with webpack's word for the stage ("building", "sealing"…). */
  onProgress?: (percent: number, stage: string) => void
  /** Status lines, e.g. that the build waits for another one. */
  onStatus?: (line: string) => void
}

/** A build under way: a promise of its result, which can be stopped. */
export type AdminBuild = Promise<AdminBuildResult> & {
  /** Stops the build (SIGTERM to its process group, then SIGKILL); the promise rejects with AdminBuildCancelled. */
  cancel(): Promise<void>
  /** SIGKILL to the build's process group, for `exit` handlers that cannot wait. */
  kill(): void
}

export class AdminBuildCancelled extends Error {
  constructor() {
    super("the Medusa Admin build was cancelled")
  }
}

/**
 * `medusa-admin build` into the side folder, in a process group of its own, then swapped into
 * `outDir` with its inputs' stamp. Its progress comes as lines (src/admin/webpack.config.js
 * swaps webpackbar for webpack's ProgressPlugin under MEDUSA_ADMIN_PROGRESS=lines).
 */
export function buildAdmin(options: AdminBuildOptions = {}): AdminBuild {
  const outDir = options.outDir ?? adminOutDir()
  const abort = new AbortController()
  let child: ChildProcess | undefined
  const started = withFileLock(
    BUILD_LOCK,
    async () => {
      const next = nextDir(outDir)
      const stamp = adminInputsStamp()
      try {
        const result = await runBuild(next, options, (spawned) => (child = spawned), abort.signal)
        fs.writeFileSync(path.join(next, STAMP_FILE), stamp)
        swapIntoPlace(next, outDir)
        return result
      } catch (error) {
        // A failed or cancelled build's half (its process is gone by now).
        fs.rmSync(next, { recursive: true, force: true })
        throw error
      }
    },
    abort.signal
  )
  reportWaiting(options.onStatus)
  const build = started.catch((error: unknown) => {
    throw abort.signal.aborted ? new AdminBuildCancelled() : error
  })
  return Object.assign(build, {
    cancel: async () => {
      abort.abort()
      if (child) await stopGroup(child, 3000)
      await build.catch(() => undefined)
    },
    kill: () => {
      if (child && isRunning(child)) signalGroup(child, "SIGKILL")
    },
  })
}

function reportWaiting(onStatus: ((line: string) => void) | undefined): void {
  const owner = lockOwner(BUILD_LOCK)
  if (owner !== undefined && owner !== process.pid) onStatus?.(`waiting for another Medusa Admin build to finish (process ${owner})`)
}

function runBuild(dir: string, options: AdminBuildOptions, onSpawn: (child: ChildProcess) => void, signal: AbortSignal): Promise<AdminBuildResult> {
  signal.throwIfAborted()
  const started = Date.now()
  const child = spawn(path.join(APP, "node_modules/.bin/medusa-admin"), ["build"], {
    cwd: APP,
    env: { ...process.env, NODE_ENV: "production", MEDUSA_ADMIN_OUT_DIR: path.relative(APP, dir), MEDUSA_ADMIN_PROGRESS: "lines" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  })
  onSpawn(child)
  const lastLines: string[] = []
  const onLine = (line: string) => {
    const progress = /^(\d{1,3})% ?(.*)$/.exec(line)
    if (progress) return options.onProgress?.(Number(progress[1]), progress[2])
    // Webpack's errors come as one line of JSON: enough of it to say what failed.
    lastLines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line)
    if (lastLines.length > 30) lastLines.shift()
  }
  createInterface({ input: child.stdout! }).on("line", onLine)
  createInterface({ input: child.stderr! }).on("line", onLine)
  const sampler = peakMemorySampler(child)

  return new Promise<AdminBuildResult>((resolve, reject) => {
    child.once("error", (error) => {
      sampler.stop()
      reject(error)
    })
    child.once("close", (code, exitSignal) => {
      const peakMemoryBytes = sampler.stop()
      if (code === 0 && fs.existsSync(path.join(dir, "index.html"))) {
        return resolve({ seconds: (Date.now() - started) / 1000, peakMemoryBytes })
      }
      const how = exitSignal ? `was killed (${exitSignal})` : code === 0 ? "made no index.html" : `exited with ${code}`
      reject(new Error(`medusa-admin build ${how}${lastLines.length ? `:\n${lastLines.join("\n")}` : ""}`))
    })
  })
}

/** The process group's resident memory, sampled every 200 ms; stop() gives the largest seen. */
function peakMemorySampler(child: ChildProcess): { stop: () => number } {
  let peak = 0
  const sample = () => {
    if (child.pid !== undefined) peak = Math.max(peak, groupResidentBytes(child.pid))
  }
  sample()
  const timer = setInterval(sample, 200)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    },
  }
}

/**
 * The new build in place of the served one by renames (`build` → `build.old`, `.build-next` →
 * `build`), so a request meets the old files or the new ones; between the two renames it gets
 * a 404, or the page the plugin read at boot, which polls and tries again.
 */
function swapIntoPlace(next: string, outDir: string): void {
  const old = `${outDir}.old`
  fs.rmSync(old, { recursive: true, force: true })
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old)
  fs.renameSync(next, outDir)
  fs.rmSync(old, { recursive: true, force: true })
}

/** Builds unless the build in `outDir` is up to date (for tests); the result, or undefined when none was needed. */
export async function ensureAdminBuild(options: AdminBuildOptions = {}): Promise<AdminBuildResult | undefined> {
  if (adminBuildState(options.outDir ?? adminOutDir()) === "up-to-date") return undefined
  return await buildAdmin(options)
}
