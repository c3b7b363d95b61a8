import fs from "fs"
import os from "os"
import path from "path"
import { letPostgresUserReach } from "../../src/tools/embedded-postgres"

/**
 * As root, the embedded server runs as the `postgres` user, made when `id` says there is none.
 * Ctrl-C reaches the whole process group, `id` included: an `id` killed by it is an
 * interruption, not a missing user. Fake `id`, `groupadd` and `useradd` on PATH show which.
 */
describe("the embedded server's operating-system user", () => {
  let bin: string
  let marker: string
  const originalPath = process.env.PATH
  const asRoot = process.getuid?.() === 0

  beforeEach(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "mit-os-user-"))
    marker = path.join(bin, "created")
    for (const command of ["groupadd", "useradd"]) {
      fs.writeFileSync(path.join(bin, command), `#!/bin/sh\necho ${command} >> "${marker}"\n`, { mode: 0o755 })
    }
    process.env.PATH = `${bin}:${originalPath}`
  })

  afterEach(() => {
    process.env.PATH = originalPath
    fs.rmSync(bin, { recursive: true, force: true })
  })

  const fakeId = (script: string) => fs.writeFileSync(path.join(bin, "id"), `#!/bin/sh\n${script}\n`, { mode: 0o755 })

  it("an `id` killed by Ctrl-C interrupts the start and creates no user", () => {
    fakeId("kill -INT $$")
    const attempt = () => letPostgresUserReach([bin], () => undefined)
    if (asRoot) expect(attempt).toThrow(/interrupted \(SIGINT\) while looking up the operating-system user "postgres"/)
    else expect(attempt).not.toThrow()
    expect(fs.existsSync(marker)).toBe(false)
  })

  it("an `id` that finds no such user has it created; one still missing afterwards fails clearly", () => {
    fakeId("exit 1")
    const lines: string[] = []
    const attempt = () => letPostgresUserReach([bin], (line) => lines.push(line))
    if (asRoot) {
      expect(attempt).toThrow(/the operating-system user "postgres" could not be created/)
      expect(fs.readFileSync(marker, "utf8").trim().split("\n")).toEqual(["groupadd", "useradd"])
      expect(lines).toEqual([`creating the operating-system user "postgres" to run PostgreSQL (it refuses to run as root)`])
    } else {
      expect(attempt).not.toThrow()
      expect(fs.existsSync(marker)).toBe(false)
    }
  })
})
