import { ChildProcess } from "child_process"
import fs from "fs"

/**
 * Processes as Linux's /proc shows them, for what `npm start` runs in process groups of their
 * own (the Medusa server, the Medusa Admin build): how much memory a group holds, how to stop
 * a whole group, and, for the tests, which processes are still there. Elsewhere (no /proc) the
 * lists are empty.
 */

export interface ProcessInfo {
  pid: number
  /** R, S, D…; Z for a zombie, which has exited and only waits to be reaped. */
  state: string
  ppid: number
  /** The process group. */
  pgid: number
  /** Clock ticks after boot: with the pid, tells a process from a later one that reuses its pid. */
  startTime: number
}

/** One process from /proc/<pid>/stat, or undefined when it is gone (or not Linux). */
export function readProcess(pid: number): ProcessInfo | undefined {
  let stat: string
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return undefined
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so count the fields
  // after its last ")". starttime is field 22 of the line, 20 after comm.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) }
}

export function listProcesses(): ProcessInfo[] {
  let entries: string[]
  try {
    entries = fs.readdirSync("/proc")
  } catch {
    return []
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => readProcess(Number(entry)) ?? [])
}

/** The processes of process group `pgid` (a detached child's group is its pid). */
export function groupProcesses(pgid: number): ProcessInfo[] {
  return listProcesses().filter((p) => p.pgid === pgid)
}

/** Resident memory of one process (VmRSS), 0 when it is gone or has none (a zombie). */
export function residentBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return kb ? Number(kb[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** The resident memory of a whole process group: a build's workers count as much as its main process. */
export function groupResidentBytes(pgid: number): number {
  return groupProcesses(pgid).reduce((sum, p) => sum + residentBytes(p.pid), 0)
}

/** Whether the process still runs: no exit code and no signal recorded by Node yet. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/** A signal to the child's whole process group (it was spawned detached); false when none is left. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false
  try {
    process.kill(-child.pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * SIGTERM to the child's process group, SIGKILL to what is left once the child has exited or
 * after `graceMs`: the group may hold more than the child (a CLI that forked its worker).
 */
export function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!isRunning(child)) {
      signalGroup(child, "SIGKILL")
      return resolve()
    }
    const finish = () => {
      clearTimeout(timer)
      signalGroup(child, "SIGKILL")
      resolve()
    }
    const timer = setTimeout(finish, graceMs)
    child.once("exit", finish)
    signalGroup(child, "SIGTERM")
  })
}
