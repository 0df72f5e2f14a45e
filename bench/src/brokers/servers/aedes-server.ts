/**
 * Aedes with its defaults (in-memory persistence, mqemitter) on a plain `net` server at
 * 127.0.0.1:<port given as the first argument>. Run as its own process by the bench driver.
 */
import { createServer } from "node:net";
import { Aedes } from "aedes";

const port = Number(process.argv[2]);
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(port, "127.0.0.1");
const stop = (): void => {
  server.close();
  aedes.close(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
