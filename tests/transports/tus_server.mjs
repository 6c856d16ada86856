// The reference tus server (@tus/server + @tus/file-store) for the tests and the bench.
// Usage: node tus_server.mjs PORT DIR  -> prints "listening http://127.0.0.1:PORT/files/"
// The packages live in tests/peers/node_modules, outside this file's lookup path.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const peers = new URL("../peers/package.json", import.meta.url);
const require = createRequire(fileURLToPath(peers));
const { Server } = await import(pathToFileURL(require.resolve("@tus/server")).href);
const { FileStore } = await import(pathToFileURL(require.resolve("@tus/file-store")).href);

const port = Number(process.argv[2] ?? 0);
const directory = process.argv[3] ?? "./files";
const server = new Server({ path: "/files", datastore: new FileStore({ directory }) });
const http = server.listen({ host: "127.0.0.1", port }, () => {
  const addr = http.address();
  console.log(`listening http://127.0.0.1:${addr.port}/files/`);
});
process.on("SIGTERM", () => http.close(() => process.exit(0)));
