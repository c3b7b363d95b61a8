import fs from "fs"
import path from "path"
import { Browser, BrowserContext, chromium, ConsoleMessage, Locator, Page, Request, Response, Route } from "playwright-core"

/**
 * Helpers for driving Medusa Admin (the dashboard the example app serves at /app) in Chromium
 * through playwright-core: the browser, a guard that fails a test on anything the dashboard
 * should not do, retrying reads of what a page shows, and screenshots as test artifacts.
 *
 * The browser is the system's Chromium (Debian's, installed with apt in CI): playwright-core
 * never downloads one.
 */

/** Screenshots and the guard's records: integration-tests/browser/artifacts/<module>/ (git-ignored). */
export const ARTIFACTS = path.join(__dirname, "artifacts")

export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    // CI runs as root, where Chromium's sandbox cannot start; /dev/shm is small in containers.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  })
}

/** `artifacts/<dir>/<name>.png`, its folder made. */
export function artifactPath(dir: string, name: string, ext = "png"): string {
  const folder = path.join(ARTIFACTS, dir)
  fs.mkdirSync(folder, { recursive: true })
  return path.join(folder, `${name.replace(/[^\w.-]+/g, "-")}.${ext}`)
}

/** Empties `artifacts/<dir>/`, so that a run leaves only its own files there. */
export function clearArtifacts(dir: string): void {
  fs.rmSync(path.join(ARTIFACTS, dir), { recursive: true, force: true })
}

/** A screenshot of what the page shows, as a test artifact; never fails the caller. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string | undefined> {
  const file = artifactPath(dir, name)
  try {
    await page.screenshot({ path: file, timeout: 10_000 })
    return file
  } catch {
    return undefined
  }
}

/** A response the dashboard is expected to get wrong on one module, e.g. a widget's missing route. */
export interface ExpectedFailure {
  method: string
  path: RegExp
  status: number
  /** Why it is expected, for the guard's record. */
  why: string
}

export interface GuardOptions {
  /** The server's origin (http://127.0.0.1:<port>): every other origin is blocked. */
  origin: string
  /** Responses ≥ 400 that are this module's expected behaviour (allowed after login too). */
  expectedFailures?: ExpectedFailure[]
}

/** One response ≥ 400 the guard saw, and what it made of it. */
export interface FailedRequest {
  method: string
  url: string
  status: number
  /** "problem": fails the test; otherwise why it is normal. */
  verdict: string
}

/**
 * Country flags that the dashboard draws with react-country-flag, which fetches them from
 * jsDelivr: decoration, blocked like everything from outside but not a failure.
 */
const DECORATION = /^https:\/\/cdn\.jsdelivr\.net\/gh\/lipis\/flag-icons\//

/**
 * Before login the dashboard asks for the session, the store and the batch jobs, and gets 401s:
 * normal. So is /admin/users, which /app/a asks for before it sends a visitor to the login form.
 */
const UNAUTHENTICATED_PROBES = [/^\/admin\/auth\/?$/, /^\/admin\/store\/?$/, /^\/admin\/batch-jobs\/?$/, /^\/admin\/users\/?$/]

/** The dashboard's index.html links /logo.svg at the server root as its icon: the server has none. */
const MISSING_FAVICON = /^\/logo\.svg$/

/**
 * Watches every page of a browser context and collects what should fail a test:
 * - any request to another origin (all are aborted; the flag icons from jsDelivr are counted as
 *   decoration instead), so nothing the dashboard needs can come from outside;
 * - after login, every `/admin/*` response with status ≥ 400 (before login, the 401s of the
 *   session probes are normal), except the module's expected failures; any other response ≥ 400
 *   but the missing /logo.svg;
 * - every page error, and every console error except the browser's own "Failed to load
 *   resource" echo of a response or a blocked request already judged here.
 *
 * `check(step)` throws with all of them since the last check, naming each.
 */
export class DashboardGuard {
  private problems: string[] = []
  /** Every response ≥ 400 and its verdict, for the record. */
  readonly failedRequests: FailedRequest[] = []
  /** Blocked requests to other origins that were decoration (the flags). */
  readonly decorations: string[] = []
  /** Whether a login (POST /admin/auth answering 200) has happened. */
  loggedIn = false
  /** URLs already judged (failed responses, blocked requests): their console echo is no news. */
  private judged = new Set<string>()

  private constructor(private readonly options: GuardOptions) {}

  /** Blocks other origins for the whole context and watches its pages, present and future. */
  static async attach(context: BrowserContext, options: GuardOptions): Promise<DashboardGuard> {
    const guard = new DashboardGuard(options)
    const origin = new URL(options.origin).origin
    await context.route(
      (url) => url.origin !== origin,
      (route) => guard.blockOutside(route)
    )
    for (const page of context.pages()) guard.watch(page)
    context.on("page", (page) => guard.watch(page))
    return guard
  }

  private async blockOutside(route: Route): Promise<void> {
    const url = route.request().url()
    this.judged.add(url)
    if (DECORATION.test(url)) this.decorations.push(url)
    else this.problems.push(`a request to another origin (blocked): ${route.request().method()} ${url}`)
    await route.abort("blockedbyclient").catch(() => undefined)
  }

  private watch(page: Page): void {
    page.on("response", (response) => this.onResponse(response))
    page.on("pageerror", (error) => this.problems.push(`page error on ${page.url()}: ${error.stack || error.message}`))
    page.on("console", (message) => this.onConsole(page, message))
    page.on("requestfailed", (request) => this.onRequestFailed(request))
  }

  private onResponse(response: Response): void {
    const request = response.request()
    const url = new URL(response.url())
    if (url.origin !== new URL(this.options.origin).origin) return
    const status = response.status()
    if (request.method() === "POST" && url.pathname === "/admin/auth" && status === 200) this.loggedIn = true
    if (status < 400) return
    this.judged.add(response.url())
    const verdict = this.judge(request.method(), url.pathname, status)
    this.failedRequests.push({ method: request.method(), url: response.url(), status, verdict })
    if (verdict === "problem") this.problems.push(`${request.method()} ${response.url()} answered ${status}`)
  }

  private judge(method: string, pathname: string, status: number): string {
    if (MISSING_FAVICON.test(pathname) && status === 404) return "normal: the dashboard's icon /logo.svg is not served"
    if (pathname.startsWith("/admin/")) {
      if (!this.loggedIn && method === "GET" && status === 401 && UNAUTHENTICATED_PROBES.some((re) => re.test(pathname))) {
        return "normal: the dashboard asks for the session before login"
      }
      const expected = this.options.expectedFailures?.find((e) => e.method === method && e.status === status && e.path.test(pathname))
      if (expected) return `expected: ${expected.why}`
    }
    return "problem"
  }

  private onConsole(page: Page, message: ConsoleMessage): void {
    if (message.type() !== "error") return
    const text = message.text()
    const where = message.location().url
    if (/^Failed to load resource/.test(text) && this.judged.has(where)) return
    this.problems.push(`console error on ${page.url()}: ${text}${where ? ` (${where})` : ""}`)
  }

  private onRequestFailed(request: Request): void {
    const url = request.url()
    if (this.judged.has(url)) return
    const failure = request.failure()?.errorText ?? "failed"
    // A page left while its requests are in flight cancels them: not a failure of the dashboard.
    if (/ERR_ABORTED/.test(failure)) return
    this.judged.add(url)
    this.problems.push(`${request.method()} ${url} failed: ${failure}`)
  }

  /** The problems since the last call, cleared. */
  take(): string[] {
    const problems = this.problems
    this.problems = []
    return problems
  }

  /** Throws, naming each, when anything went wrong since the last check. */
  check(step: string): void {
    const problems = this.take()
    if (problems.length) throw new Error(`${step}: the dashboard misbehaved:\n- ${problems.join("\n- ")}`)
  }

  /** What the guard saw, for the artifacts. */
  record(): { failedRequests: FailedRequest[]; decorations: string[] } {
    return { failedRequests: this.failedRequests, decorations: this.decorations }
  }
}

/**
 * Calls `read` until `assert` accepts what it returned (web-first, as Playwright's own
 * assertions do); after `timeoutMs` the last assertion error is thrown.
 */
export async function eventually<T>(read: () => Promise<T>, assert: (value: T) => void, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    try {
      assert(value)
      return value
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The text of each cell of each body row of a table, trimmed. */
export async function tableRows(table: Locator): Promise<string[][]> {
  return await table
    .locator("tbody tr")
    .evaluateAll((rows: any[]) => rows.map((row) => Array.from(row.querySelectorAll("td"), (cell: any) => String(cell.innerText).trim())))
}

/** Waits for the response to `method` on a path matching `path` that `action` causes. */
export async function responseTo(page: Page, method: string, path: RegExp, action: () => Promise<unknown>): Promise<Response> {
  const response = page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname))
  response.catch(() => undefined) // awaited below, unless the action fails first
  await action()
  return await response
}

/**
 * Picks `label` in the dashboard's NextSelect dropdown (react-select) inside `scope`: a click on
 * its control opens the menu, a click on the option picks it.
 */
export async function pickOption(scope: Locator, label: string): Promise<void> {
  const page = scope.page()
  await scope.locator("div.h-10", { has: page.getByRole("combobox") }).last().click()
  await page.getByRole("option", { name: label, exact: true }).click()
}
