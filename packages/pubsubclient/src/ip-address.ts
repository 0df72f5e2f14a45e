/**
 * Arduino's `IPAddress`: four octets. `new IPAddress(192, 168, 1, 10)` ports
 * `IPAddress server(192, 168, 1, 10);`.
 */
export class IPAddress {
  readonly octets: readonly [number, number, number, number];

  constructor(first: number, second: number, third: number, fourth: number) {
    const octets: [number, number, number, number] = [first, second, third, fourth];
    for (const octet of octets) {
      if (!Number.isInteger(octet) || octet < 0 || octet > 255) {
        throw new RangeError(`IPAddress: ${octet} is not an octet (0-255)`);
      }
    }
    this.octets = octets;
  }

  /** From the 4-byte form of PubSubClient's `uint8_t *ip` overloads. */
  static from(bytes: ArrayLike<number>): IPAddress {
    if (bytes.length !== 4) throw new RangeError("IPAddress: an address has exactly 4 bytes");
    return new IPAddress(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  }

  /** Dotted quad, e.g. "192.168.1.10" (what `Client.connect` receives). */
  toString(): string {
    return this.octets.join(".");
  }
}

/** What every `server` argument accepts: an `IPAddress`, 4 bytes, or a host name. */
export type ServerAddress = IPAddress | ArrayLike<number> | string;

/** The host string handed to `Client.connect`: a copy, never a reference to the caller's data. */
export function serverHost(server: ServerAddress): string {
  if (typeof server === "string") return server;
  if (server instanceof IPAddress) return server.toString();
  return IPAddress.from(server).toString();
}
