/**
 * The WebSocket tunnels open on this instance, for the drain: a tunnel's socket left Node's HTTP
 * server at the 101, so `closeAllConnections` no longer reaches it while `server.close()` still waits
 * for it. Once the drain timeout is up, the drain closes what is left here.
 */

/** What the drain needs of a tunnel. */
export interface ClosableTunnel {
  /** Ends the tunnel from the gateway's side; `cause` is logged. */
  shutdown(cause: string): void;
}

export class OpenTunnels {
  private readonly open = new Set<ClosableTunnel>();

  get size(): number {
    return this.open.size;
  }

  add(tunnel: ClosableTunnel): void {
    this.open.add(tunnel);
  }

  delete(tunnel: ClosableTunnel): void {
    this.open.delete(tunnel);
  }

  /** Ends every open tunnel; returns how many there were. */
  closeAll(cause: string): number {
    const count = this.open.size;
    for (const tunnel of [...this.open]) tunnel.shutdown(cause);
    return count;
  }
}
