import { afterEach, describe, expect, it } from "vitest";
import { AdminError, isLoopback } from "../src/index.js";
import { getJson, TestBed } from "./helpers.js";

const bed = new TestBed();
afterEach(() => bed.cleanup());

/** The admin server on every address, reached through 127.0.0.1. */
function local(url: string, path: string): string {
  const parsed = new URL(url);
  return `http://127.0.0.1:${parsed.port}/${path}`;
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("admin authentication", () => {
  it("refuses to listen beyond loopback without a token or a password check", async () => {
    const broker = bed.broker();
    const failure = await bed.admin(broker, { host: "0.0.0.0" }).catch((error: unknown) => error);
    expect(AdminError.isAdminError(failure)).toBe(true);
    expect((failure as AdminError).code).toBe("MQTT_ERR_ADMIN_UNPROTECTED");
    const empty = await bed.admin(broker, { token: "" }).catch((error: unknown) => error);
    expect((empty as AdminError).code).toBe("MQTT_ERR_ADMIN_INVALID_OPTION");
  });

  it("needs no credentials on loopback without a token", async () => {
    const { admin } = await bed.start();
    expect(admin.host).toBe("127.0.0.1");
    expect((await getJson(`${admin.url}api/overview`)).status).toBe(200);
  });

  it("with a token: 401 without it or with a wrong one, 200 with Bearer <token>", async () => {
    const broker = bed.broker();
    await broker.listen({ port: 0, host: "127.0.0.1" });
    const admin = await bed.admin(broker, { host: "0.0.0.0", token: "s3cret-token" });
    const metrics = local(admin.url, "metrics");
    const missing = await getJson(metrics);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await getJson(metrics, { headers: { Authorization: "Bearer wrong" } })).status).toBe(
      401,
    );
    const allowed = await fetch(metrics, { headers: { Authorization: "Bearer s3cret-token" } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("ternmq_clients_connected");
    const api = local(admin.url, "api/clients");
    expect((await getJson(api)).status).toBe(401);
    expect((await getJson(api, { headers: { Authorization: "Bearer s3cret-token" } })).status).toBe(
      200,
    );
    const disconnect = local(admin.url, "api/clients/x/disconnect");
    expect((await getJson(disconnect, { method: "POST" })).status).toBe(401);
    // Probes and the dashboard's static files (no data in them) stay open.
    expect((await getJson(local(admin.url, "healthz"))).status).toBe(200);
    expect((await getJson(local(admin.url, "readyz"))).status).toBe(200);
  });

  it("with authenticate: HTTP Basic checked by the callback, 401 with a Basic challenge", async () => {
    const broker = bed.broker();
    const checked: string[] = [];
    const admin = await bed.admin(broker, {
      host: "0.0.0.0",
      authenticate: async (user, password) => {
        checked.push(user);
        return user === "alice" && password === "pa:ss";
      },
    });
    const url = local(admin.url, "api/info");
    const missing = await getJson(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Basic realm="ternmq-admin"/);
    expect(
      (await getJson(url, { headers: { Authorization: basic("alice", "wrong") } })).status,
    ).toBe(401);
    expect(
      (await getJson(url, { headers: { Authorization: basic("alice", "pa:ss") } })).status,
    ).toBe(200);
    expect(checked).toEqual(["alice", "alice"]);
  });

  it("a throwing authenticate callback refuses (401)", async () => {
    const broker = bed.broker();
    const admin = await bed.admin(broker, {
      authenticate: () => {
        throw new Error("password file unreadable");
      },
    });
    const answer = await getJson(`${admin.url}metrics`, {
      headers: { Authorization: basic("a", "b") },
    });
    expect(answer.status).toBe(401);
  });

  it("isLoopback tells loopback addresses from others", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"])
      expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.com"])
      expect(isLoopback(host)).toBe(false);
  });
});
