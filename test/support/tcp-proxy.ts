import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy the test controls, placed between an app and a real server (here: PostgreSQL). cut()
 * drops every open connection and refuses new ones, as a network partition or a crashed database
 * would; restore() lets connections through again. silence() keeps connections open but stops
 * carrying their bytes, as a lost NAT entry or a fail-over behind one address does: nothing fails,
 * everything waits.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  private open = true;
  private silentUntil = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const created: { proxy?: TcpProxy } = {};
    const server = createServer((client) => created.proxy?.accept(client, targetHost, targetPort));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    created.proxy = new TcpProxy(server, typeof address === 'object' && address ? address.port : 0);
    return created.proxy;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.open = true;
  }

  /**
   * Every open connection goes silent for good (open, carrying nothing, never closed); connections
   * made in the next `ms` do too, and those made after it work normally.
   */
  silence(ms: number): void {
    this.silentUntil = Date.now() + ms;
    for (const pair of this.pairs) mute(pair);
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (!this.open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host, port });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    if (Date.now() < this.silentUntil) mute(pair);
    else this.pairs.add(pair);
    client.once('close', () => this.pairs.delete(pair));
  }
}

function mute([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

/** The same database URL, through the proxy. */
export function viaProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

/** A TCP proxy in front of the file's database: what fault tests cut or silence between consumer and PostgreSQL. */
export function proxyToDatabase(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  return TcpProxy.start(target.hostname, Number(target.port || 5432));
}
