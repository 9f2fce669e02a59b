import { createServer } from 'node:net';

// The OS may hand the same ephemeral port out again once it is closed; remembering
// what we gave out keeps servers started in parallel from this process apart.
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago and not yet returned by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probe();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no unused free port found');
}

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('listen gave no port'))));
    });
  });
}
