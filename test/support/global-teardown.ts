export default async function globalTeardown() {
  const drop = (globalThis as Record<string, unknown>).__hubTestDrop as (() => Promise<void>) | undefined;
  if (drop && !process.env.HUB_TEST_KEEP_DB) await drop();
}
