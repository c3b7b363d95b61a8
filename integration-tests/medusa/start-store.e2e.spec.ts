import { ChildProcess, spawn } from "child_process"
import path from "path"
import { freePort, ROOT } from "../../scripts/example-app"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { installExampleApp } from "./medusa-app"

/**
 * `npm start` (dist/scripts/start-store.js) as a user runs it, here on a database of the test
 * server: the banner, its three curl commands, a clean stop on SIGINT, and a second start that
 * finds the demo catalogue instead of making it again.
 */
const START = path.join(ROOT, "dist/scripts/start-store.js")

interface Started {
  child: ChildProcess
  output: () => string
}

async function startStore(databaseUrl: string, port: number): Promise<Started> {
  const child = spawn("node", [START], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  for (let i = 0; i < 600 && !output.includes("Press Ctrl-C"); i++) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (!output.includes("Press Ctrl-C")) throw new Error(`no banner after 120 s:\n${output}`)
  return { child, output: () => output }
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once("exit", (code) => resolve(code)))
  started.child.kill("SIGINT")
  return exited
}

/** The curl commands of the banner, as fetch calls: their JSON. */
async function curls(output: string): Promise<any[]> {
  const commands = [...output.matchAll(/curl -s (\S+) -H 'x-medusa-access-token: (\S+)'/g)]
  return Promise.all(
    commands.map(async ([, url, token]) => {
      const response = await fetch(url, { headers: { "x-medusa-access-token": token } })
      expect(response.status).toBe(200)
      return response.json()
    })
  )
}

describe("npm start: the example store with a demo catalogue", () => {
  const name = uniqueDatabaseName("mit_start")
  let databaseUrl: string
  let started: Started | undefined
  beforeAll(async () => {
    await installExampleApp()
    databaseUrl = await createDatabase(name)
  })
  afterAll(async () => {
    if (started && started.child.exitCode === null) await stop(started)
    await dropDatabase(name)
  })

  it("seeds on the first start, prints working curl commands, stops on SIGINT, and reuses the data", async () => {
    const port = await freePort()
    started = await startStore(databaseUrl, port)
    const first = started.output()
    expect(first).toMatch(/\[26\/26\] created a demo order of 2 × DEMO-SHIRT-M \(reserved\)/)
    expect(first).toMatch(/Admin login {4}admin@medusa-test\.com \/ supersecret/)
    expect(first).toContain(`Store API      http://localhost:${port}/store`)

    const [items, levels, reservations] = await curls(first)
    expect(items.count).toBe(7)
    expect(items.inventory_items.map((i: { sku: string }) => i.sku).sort()).toEqual(
      ["DEMO-CAP", "DEMO-MUG", "DEMO-SHIRT-L", "DEMO-SHIRT-M", "DEMO-SHIRT-S", "DEMO-SWEAT-L", "DEMO-SWEAT-M"]
    )
    const shirtLevels = levels.inventory_item.location_levels.map((l: any) => [l.stocked_quantity, l.reserved_quantity]).sort()
    expect(shirtLevels).toEqual([[10, 0], [30, 2]])
    expect(reservations.reservations).toHaveLength(1)
    expect(reservations.reservations[0]).toMatchObject({ quantity: 2, inventory_item_id: levels.inventory_item.id })

    // The credentials it prints log in.
    const login = await fetch(`http://localhost:${port}/admin/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@medusa-test.com", password: "supersecret" }),
    })
    expect(login.status).toBe(200)

    expect(await stop(started)).toBe(0)
    expect(started.output()).toMatch(/Stopping…/)
    await expect(fetch(`http://localhost:${port}/health`)).rejects.toThrow()

    // Second start: nothing is made again, and the reservation is still the only one.
    started = await startStore(databaseUrl, port)
    const second = started.output()
    expect(second).not.toMatch(/created/)
    expect(second).toMatch(/\[26\/26\] found the demo order/)
    expect(second).toMatch(/admin user admin@medusa-test\.com\n {2}exists/)
    const [itemsAgain, , reservationsAgain] = await curls(second)
    expect(itemsAgain.count).toBe(7)
    expect(reservationsAgain.reservations).toHaveLength(1)
    expect(await stop(started)).toBe(0)
  })
})
