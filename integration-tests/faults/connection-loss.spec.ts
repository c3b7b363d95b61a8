import { execFile } from "child_process"
import path from "path"
import { DATABASE_UNAVAILABLE } from "../../src/utils/errors"
import { Cluster, startCluster } from "../utils/pg-cluster"
import { readBooks } from "./books"

/**
 * A lost connection must never crash the process. Before the guard (src/db/connection-guard.ts)
 * a burst of calls from several isolated module instances died with `Unhandled 'error' event`
 * on a pg Client (57P01) in 4 runs out of 5 when the primary restarted: a client handed out by
 * a growing pool had no error listener when the server's shutdown message arrived.
 *
 * Each case runs connection-loss.child.js, the reproduction, in a process of its own (three
 * rounds, each with its fault), so that a crash is a dead process and not a failed assertion
 * inside jest: the process must exit 0 with no uncaught exception and no unhandled rejection,
 * every failed call must be the module's "database unavailable" MedusaError, and afterwards
 * the books must balance: no reserved drift (I2), the ledger adds up (I6), and the stocked
 * quantity is the initial one plus the adjustments that succeeded, plus at most those whose
 * outcome the error called unknown.
 */

const CHILD = path.join(__dirname, "connection-loss.child.js")
const FAULTS = ["restart", "terminate", "grow", "shared"] as const
const INITIAL = 1_000_000

interface Outcome {
  kind: "adjust" | "reserve" | "available"
  ok: boolean
  module: number
  after?: boolean
  medusa?: boolean
  type?: string
  code?: string
  message?: string
}

interface Report {
  fault: string
  items: string[]
  rounds: { fault: Record<string, unknown>; outcomes: Outcome[] }[]
  uncaught: string[]
  recoveredMs: number[]
}

function runChild(config: Record<string, unknown>): Promise<{ code: number | null; report?: Report; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHILD],
      { env: { ...process.env, FAULT_CHILD: JSON.stringify(config) }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0
        const last = stdout.trim().split("\n").pop() ?? ""
        let report: Report | undefined
        try {
          report = JSON.parse(last)
        } catch {
          report = undefined
        }
        resolve({ code: typeof code === "number" ? code : null, report, output: `${stderr}\n${stdout}`.slice(-4000) })
      }
    )
  })
}

describe("a lost connection never crashes the process", () => {
  let primary: Cluster
  let replica: Cluster

  beforeAll(async () => {
    primary = await startCluster()
    for (const fault of FAULTS) await primary.query(`CREATE DATABASE faults_${fault}`)
    replica = await startCluster({ replicaOf: primary })
  }, 120_000)

  afterAll(async () => {
    await replica?.destroy()
    await primary?.destroy()
  })

  for (const fault of FAULTS) {
    it(`${fault}: every call answers or fails with a MedusaError, the process lives, the books balance`, async () => {
      const database = `faults_${fault}`
      const { code, report, output } = await runChild({
        url: primary.url(database),
        replicaUrl: replica.url(database),
        fault,
        restartCommand: primary.restartCommand(),
        rounds: 3,
      })
      primary.recordPid()
      if (!report) throw new Error(`the child printed no report (exit ${code}):\n${output}`)
      expect(report.uncaught).toEqual([])
      expect(code).toBe(0)

      const outcomes = report.rounds.flatMap((round) => round.outcomes)
      const failed = outcomes.filter((o) => !o.ok)
      // Each round's fault struck during its burst: a restart fails the calls in flight; a
      // termination hits whatever connections exist (idle ones too, which fail no call).
      for (const round of report.rounds) {
        expect(round.fault).not.toHaveProperty("error")
        if (fault === "terminate") expect(round.fault.terminated).toBeGreaterThan(0)
        else expect(round.outcomes.filter((o) => !o.ok).length).toBeGreaterThan(0)
      }
      expect(failed.length).toBeGreaterThan(0)
      // Every failure is the module's clean "unavailable" error, never a driver's.
      expect(
        failed.filter((o) => !(o.medusa && o.type === "database_error" && o.code === DATABASE_UNAVAILABLE)).map((o) => `${o.kind}: ${o.message}`)
      ).toEqual([])

      const books = await readBooks(primary.url(database))
      expect(books.drift).toEqual([])
      expect(books.imbalance).toEqual([])
      report.items.forEach((item, m) => {
        const mine = outcomes.filter((o) => o.module === m)
        const adjusted = mine.filter((o) => o.kind === "adjust" && o.ok).length
        const unknownAdjust = mine.filter((o) => o.kind === "adjust" && !o.ok && /may or may not/.test(o.message ?? "")).length
        const level = books.levels.get(`${item}@loc`)!
        expect(level.stocked - INITIAL - adjusted).toBeGreaterThanOrEqual(0)
        expect(level.stocked - INITIAL - adjusted).toBeLessThanOrEqual(unknownAdjust)
        const reserved = mine.filter((o) => o.kind === "reserve" && o.ok).length
        const unknownReserve = mine.filter((o) => o.kind === "reserve" && !o.ok && /may or may not/.test(o.message ?? "")).length
        expect(level.reserved - reserved).toBeGreaterThanOrEqual(0)
        expect(level.reserved - reserved).toBeLessThanOrEqual(unknownReserve)
      })
      const kinds = new Map<string, number>()
      for (const o of failed) {
        const key = /nothing was written/.test(o.message ?? "") ? "nothing was written" : /may or may not/.test(o.message ?? "") ? "may or may not" : "other"
        kinds.set(key, (kinds.get(key) ?? 0) + 1)
      }
      console.log(
        `${fault}: ${report.rounds.length} rounds, ${outcomes.length} calls, ${outcomes.length - failed.length} answered, ` +
          `${failed.length} unavailable (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}); ` +
          `served again after ${report.recoveredMs.join(", ")} ms; drift 0, ledger balanced`
      )
    }, 300_000)
  }
})
