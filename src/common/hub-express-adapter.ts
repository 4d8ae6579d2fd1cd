import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import * as http from 'node:http';

/**
 * NestJS's Express adapter, with the HTTP server building each request and response on Express's
 * own prototypes from the start.
 *
 * Express gives every request and response its methods (`req.ip`, `res.json`, …) by changing their
 * prototype, `Object.setPrototypeOf(req, app.request)`, on every request (`app.handle`). In V8 that
 * change is far from free (nodejs/node#37457): it halved a minimal Express app's throughput here, and
 * every object a request or response reached was then kept alive through the next scavenge and
 * promoted, so each of the hub's scavenges copied ~10 MB and paused it for 12–15 ms.
 *
 * Here Node's HTTP server constructs requests and responses from two classes whose prototypes are
 * the ones Express sets (Express's own objects stay in their chains), so Express's call finds the
 * prototype already in place and changes nothing. Everything Express and Nest do is unchanged.
 * Measured on a minimal Express 5 app (BENCHMARKS.md, seventh session): 9,186 against 20,480–21,869
 * requests/s, scavenges 12.4 ms against 0.5 ms, nothing promoted.
 */
export class HubExpressAdapter extends ExpressAdapter {
  private readonly serverOptions: http.ServerOptions;

  constructor() {
    super();
    const app = this.getInstance();
    class HubIncomingMessage extends http.IncomingMessage {}
    class HubServerResponse extends http.ServerResponse {}
    // Once, at start: Express's request and response objects become the classes' parents.
    Object.setPrototypeOf(HubIncomingMessage.prototype, app.request);
    Object.setPrototypeOf(HubServerResponse.prototype, app.response);
    app.request = HubIncomingMessage.prototype;
    app.response = HubServerResponse.prototype;
    this.serverOptions = { IncomingMessage: HubIncomingMessage, ServerResponse: HubServerResponse as typeof http.ServerResponse };
  }

  /**
   * The hub serves plain HTTP behind its TLS proxy and never asks Nest to close connections, so
   * those two options (which the hub does not set) keep Nest's own server: correct, only without
   * the saving.
   */
  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    this.setHttpServer(http.createServer(this.serverOptions, this.getInstance()));
  }
}
