/**
 * A free port on 127.0.0.1 for a server a test starts in another process (wrangler dev):
 * several worktrees may run the suite at once on one machine, so no test uses a fixed port.
 */
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
