import net from "net"

/**
 * A TCP proxy the test owns, between a client and a real PostgreSQL (or PgBouncer), that does
 * to connections what networks do to them:
 *
 * - **resets**: every `resetEveryMs` it closes (RST) a random share of the open connections;
 * - **latency**: a connection may carry `delayMs` of delay on every chunk, both ways (a share
 *   of new connections, and now and then an open one);
 * - **blackhole**: now and then an open connection stops forwarding and stays open, as a NAT or
 *   a load balancer does to a flow it forgot: nothing arrives either way, and no FIN or RST.
 *   The server side never hears of it while the faults last.
 *
 * `stopFaults()` ends them as such middleboxes end them: a blackholed flow is reset on both
 * sides (the client's next packet would get an RST), and so is a delayed one (its chunks still
 * in flight could otherwise overtake each other once the delay is gone).
 */

export interface FaultOptions {
  resetEveryMs: number
  /** Share of the open connections each reset closes. */
  resetShare: number
  delayMs: number
  /** Share of new connections that carry the delay; and every `delayEveryMs` one open connection starts to. */
  delayedShare: number
  delayEveryMs: number
  /** Every `blackholeEveryMs` one open connection is blackholed. */
  blackholeEveryMs: number
}

export interface FaultTallies {
  connections: number
  resets: number
  delayed: number
  blackholed: number
  /** Blackholed flows whose client closed its end while the faults lasted (it gave up on them). */
  discarded: number
}

type Mode = "normal" | "delayed" | "blackholed"

interface Flow {
  client: net.Socket
  server: net.Socket
  mode: Mode
  closed: boolean
}

export interface FaultProxy {
  port: number
  /** `upstreamUrl` with its host and port replaced by the proxy's. */
  url(upstreamUrl: string): string
  tallies: FaultTallies
  startFaults(options: FaultOptions): void
  stopFaults(): void
  close(): Promise<void>
}

export async function startFaultProxy(upstream: { host: string; port: number }, random: () => number = Math.random): Promise<FaultProxy> {
  const flows = new Set<Flow>()
  const tallies: FaultTallies = { connections: 0, resets: 0, delayed: 0, blackholed: 0, discarded: 0 }
  let faults: FaultOptions | undefined
  const timers: NodeJS.Timeout[] = []

  const close = (flow: Flow) => {
    if (flow.closed) return
    flow.closed = true
    flows.delete(flow)
    flow.client.resetAndDestroy()
    flow.server.resetAndDestroy()
  }

  const forward = (flow: Flow, to: net.Socket, chunk: Buffer) => {
    if (flow.closed || flow.mode === "blackholed") return
    if (flow.mode === "delayed" && faults) {
      // Every chunk gets the same delay: setTimeout keeps their order.
      setTimeout(() => {
        if (!flow.closed && flow.mode !== "blackholed") to.write(chunk)
      }, faults.delayMs).unref()
      return
    }
    to.write(chunk)
  }

  const server = net.createServer((client) => {
    tallies.connections++
    const upstreamSocket = net.connect(upstream.port, upstream.host)
    const flow: Flow = { client, server: upstreamSocket, mode: "normal", closed: false }
    if (faults && random() < faults.delayedShare) {
      flow.mode = "delayed"
      tallies.delayed++
    }
    flows.add(flow)
    client.setNoDelay(true)
    upstreamSocket.setNoDelay(true)
    client.on("data", (chunk) => forward(flow, upstreamSocket, chunk))
    upstreamSocket.on("data", (chunk) => forward(flow, client, chunk))
    // A blackholed flow hides its ends from each other: the server side stays open.
    const end = () => {
      if (flow.mode !== "blackholed") close(flow)
    }
    client.on("close", () => {
      if (flow.mode === "blackholed" && faults && !flow.closed) tallies.discarded++
    })
    client.on("close", end)
    upstreamSocket.on("close", end)
    client.on("error", end)
    upstreamSocket.on("error", end)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as net.AddressInfo).port

  const pick = (mode: Mode): Flow | undefined => {
    const candidates = [...flows].filter((f) => f.mode === mode && !f.closed)
    return candidates.length ? candidates[Math.floor(random() * candidates.length)] : undefined
  }

  const proxy: FaultProxy = {
    port,
    tallies,
    url(upstreamUrl) {
      const url = new URL(upstreamUrl)
      url.hostname = "127.0.0.1"
      url.port = String(port)
      return url.toString()
    },
    startFaults(options) {
      faults = options
      timers.push(
        setInterval(() => {
          for (const flow of [...flows]) {
            if (flow.mode !== "blackholed" && random() < options.resetShare) {
              tallies.resets++
              close(flow)
            }
          }
        }, options.resetEveryMs),
        setInterval(() => {
          const flow = pick("normal")
          if (flow) {
            flow.mode = "delayed"
            tallies.delayed++
          }
        }, options.delayEveryMs),
        setInterval(() => {
          const flow = pick("normal") ?? pick("delayed")
          if (flow) {
            flow.mode = "blackholed"
            tallies.blackholed++
          }
        }, options.blackholeEveryMs)
      )
    },
    stopFaults() {
      faults = undefined
      for (const timer of timers.splice(0)) clearInterval(timer)
      for (const flow of [...flows]) {
        if (flow.mode !== "normal" || flow.client.destroyed) close(flow)
      }
    },
    async close() {
      proxy.stopFaults()
      for (const flow of [...flows]) close(flow)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return proxy
}
