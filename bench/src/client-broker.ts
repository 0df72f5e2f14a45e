// The broker side of `pnpm bench client`: our Broker alone in its own process (so that it
// does not share an event loop with the clients being measured) on 127.0.0.1 at an
// OS-assigned port, printed as the first stdout line. Stops on SIGTERM or when stdin closes
// (the bench process died).
import { Broker } from "@ternmq/broker";

const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0 });
const { port } = await broker.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${port}\n`);

const stop = () => {
  broker.close().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.stdin.resume();
process.stdin.once("end", stop);
