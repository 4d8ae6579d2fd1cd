/**
 * The V8 flags the service runs with in production (Dockerfile CMD, `npm start`, `npm run
 * start:prod`, and the benchmark's hub; kept in step by test/unit/node-flags.spec.ts). Worker
 * processes (HUB_PROCESSES) inherit them from node:cluster.
 *
 * --max-semi-space-size=64: the young generation's semi-spaces grow to 64 MB instead of Node 20's
 * 16 MB. Each GraphQL request allocates short-lived objects (parsed body, Apollo's request context,
 * rows, the response text); with 32 requests in flight the default young generation filled several
 * times a second and every scavenge copied whatever those requests still held. Measured under the
 * vacancySearch load on the 2-core host (BENCHMARKS.md, seventh session): 311 scavenges taking
 * 2.57 s against 108 taking 1.87 s for about the same number of requests, and the share of the
 * hub's CPU spent collecting garbage from 14 % to 10 %. After requests stopped being re-prototyped
 * (hub-express-adapter.ts) a scavenge copies much less; the flag still cut the time in scavenges by
 * 30 % (fewer, longer pauses), with CPU per search the same within the noise. It costs at most
 * 2 × 48 MB more memory (the bench's peak RSS went from 565–569 MB to 641–652 MB).
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
