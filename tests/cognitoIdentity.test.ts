/**
 * The production Cognito Identity sender of the read-file handler (`createCognitoIdentitySender`):
 * the AWS JSON 1.1 requests it sends, checked by a loopback server, and how it reads the answers
 * and errors, named as the SDK names them so the handler maps them alike.
 */
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";

import { CognitoIdentityError, createCognitoIdentitySender } from "../lambdas/cognitoIdentity";
import { classifyAwsError } from "../lambdas/http";
import { withUnansweredLookup } from "./support/unansweredLookup";

const REGION = "eu-west-1";
const LOGINS = { [`cognito-idp.${REGION}.amazonaws.com/${REGION}_pool`]: "header.payload.signature" };

interface Seen {
    readonly method: string;
    readonly url: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: unknown;
}
type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang";

async function startCognito(reply: (seen: Seen) => Reply) {
    const seen: Seen[] = [];
    const hanging: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || "null") };
            seen.push(request);
            const answer = reply(request);
            if (answer === "hang") {
                hanging.push(res);
                return;
            }
            res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1", ...answer.headers }).end(answer.body ?? "");
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => {
            for (const res of hanging) res.destroy();
            server.closeAllConnections();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

describe("Cognito Identity sender of the read-file handler (JSON 1.1 POSTs)", () => {
    const servers: { close(): Promise<void> }[] = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });
    const cognito = async (reply: (seen: Seen) => Reply) => {
        const server = await startCognito(reply);
        servers.push(server);
        return server;
    };

    it("sends GetId and GetCredentialsForIdentity unsigned, as AWS JSON 1.1, and reads their answers", async () => {
        const expiration = Math.floor(Date.now() / 1000) + 3600;
        const server = await cognito((seen) =>
            seen.headers["x-amz-target"] === "AWSCognitoIdentityService.GetId"
                ? { status: 200, body: JSON.stringify({ IdentityId: `${REGION}:abc` }) }
                : {
                      status: 200,
                      body: JSON.stringify({
                          IdentityId: `${REGION}:abc`,
                          Credentials: { AccessKeyId: "ASIAX", SecretKey: "secret", SessionToken: "token", Expiration: expiration },
                      }),
                  },
        );
        const sender = createCognitoIdentitySender({ region: REGION, endpoint: server.url });
        assert.deepStrictEqual(await sender.getId({ IdentityPoolId: `${REGION}:pool`, Logins: LOGINS }), { IdentityId: `${REGION}:abc` });
        assert.deepStrictEqual(await sender.getCredentialsForIdentity({ IdentityId: `${REGION}:abc`, Logins: LOGINS }), {
            Credentials: { AccessKeyId: "ASIAX", SecretKey: "secret", SessionToken: "token", Expiration: new Date(expiration * 1000) },
        });
        assert.deepStrictEqual(
            server.seen.map((s) => [s.method, s.url, s.headers["content-type"], s.headers["x-amz-target"], s.headers.authorization]),
            [
                ["POST", "/", "application/x-amz-json-1.1", "AWSCognitoIdentityService.GetId", undefined],
                ["POST", "/", "application/x-amz-json-1.1", "AWSCognitoIdentityService.GetCredentialsForIdentity", undefined],
            ],
        );
        assert.deepStrictEqual(server.seen[0].body, { IdentityPoolId: `${REGION}:pool`, Logins: LOGINS });
        assert.deepStrictEqual(server.seen[1].body, { IdentityId: `${REGION}:abc`, Logins: LOGINS });
    });

    it("reports fields of the wrong type as missing, for the exchange to refuse", async () => {
        const server = await cognito(() => ({ status: 200, body: JSON.stringify({ IdentityId: 42, Credentials: { AccessKeyId: ["x"], Expiration: "tomorrow" } }) }));
        const sender = createCognitoIdentitySender({ region: REGION, endpoint: server.url });
        assert.deepStrictEqual(await sender.getId({ IdentityPoolId: "p", Logins: LOGINS }), { IdentityId: undefined });
        const { Credentials } = await sender.getCredentialsForIdentity({ IdentityId: "i", Logins: LOGINS });
        assert.deepStrictEqual(Credentials, { AccessKeyId: undefined, SecretKey: undefined, SessionToken: undefined, Expiration: undefined });
    });

    describe("errors, named as the SDK names them", () => {
        const cases: [string, Reply, string, ReturnType<typeof classifyAwsError>, number][] = [
            ["a refused token (__type)", { status: 400, body: JSON.stringify({ __type: "NotAuthorizedException", message: "Token is revoked" }) }, "NotAuthorizedException", "not-authorized", 1],
            [
                "a namespaced __type",
                { status: 400, body: JSON.stringify({ __type: "com.amazonaws.cognito.identity.model#InvalidIdentityPoolConfigurationException" }) },
                "InvalidIdentityPoolConfigurationException",
                "other",
                1,
            ],
            [
                "x-amzn-errortype over the body",
                { status: 400, headers: { "x-amzn-errortype": "NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws.cognito.identity.model/" }, body: "{}" },
                "NotAuthorizedException",
                "not-authorized",
                1,
            ],
            ["throttling, tried once more", { status: 400, body: JSON.stringify({ __type: "TooManyRequestsException" }) }, "TooManyRequestsException", "throttled", 2],
            ["an internal error, tried once more", { status: 500, body: JSON.stringify({ __type: "InternalErrorException" }) }, "InternalErrorException", "unavailable", 2],
            ["a 503 that is not JSON, tried once more", { status: 503, body: "<html>busy</html>" }, "InternalErrorException", "unavailable", 2],
            ["a type that is not a plain name", { status: 400, body: JSON.stringify({ __type: "<script>" }) }, "Http400", "other", 1],
            [
                "an x-amzn-errortype that is not a plain name, the body's type instead",
                { status: 400, headers: { "x-amzn-errortype": "bad name" }, body: JSON.stringify({ __type: "NotAuthorizedException" }) },
                "NotAuthorizedException",
                "not-authorized",
                1,
            ],
            ["a 429 without a type, tried once more", { status: 429, body: "" }, "Http429", "throttled", 2],
            ["a 500 without a type, tried once more", { status: 500, body: "" }, "InternalErrorException", "unavailable", 2],
        ];
        for (const [what, reply, name, kind, attempts] of cases) {
            it(`${what}: ${name}, ${kind}`, async () => {
                const server = await cognito(() => reply);
                const sender = createCognitoIdentitySender({ region: REGION, endpoint: server.url });
                await assert.rejects(sender.getId({ IdentityPoolId: "p", Logins: LOGINS }), (error: CognitoIdentityError) => {
                    assert.ok(error instanceof CognitoIdentityError);
                    assert.strictEqual(error.name, name);
                    assert.match(error.message, /^Cognito Identity answered /, "the message names the service that answered");
                    assert.strictEqual(classifyAwsError(error), kind);
                    return true;
                });
                assert.strictEqual(server.seen.length, attempts);
            });
        }
    });

    it("gives up on a Cognito that does not answer within requestTimeoutMs, on each of its two attempts", async () => {
        const server = await cognito(() => "hang");
        const sender = createCognitoIdentitySender({ region: REGION, endpoint: server.url, requestTimeoutMs: 150 });
        const started = Date.now();
        await assert.rejects(sender.getId({ IdentityPoolId: "p", Logins: LOGINS }), (error: Error) => error.name === "TimeoutError");
        assert.strictEqual(server.seen.length, 2);
        assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    });

    it("gives up on a connection not established within connectionTimeoutMs, on each of its two attempts", async () => {
        // The name lookup never answers, so the connection stays pending: only connectionTimeoutMs ends it.
        const { attempts, ms } = await withUnansweredLookup(async () => {
        const sender = createCognitoIdentitySender({ region: REGION, endpoint: "https://cognito-identity.test", connectionTimeoutMs: 100 });
        await assert.rejects(sender.getId({ IdentityPoolId: "p", Logins: LOGINS }), (error: Error) => error.name === "TimeoutError" && /within the configured timeout of 100 ms/.test(error.message));
        });
        assert.strictEqual(attempts, 2);
        assert.ok(ms < 1500, `${ms} ms`);
    });

    it("sends to the path of an endpoint that has one", async () => {
        const server = await cognito(() => ({ status: 200, body: JSON.stringify({ IdentityId: `${REGION}:abc` }) }));
        const sender = createCognitoIdentitySender({ region: REGION, endpoint: `${server.url}/cognito-identity` });
        assert.deepStrictEqual(await sender.getId({ IdentityPoolId: `${REGION}:pool`, Logins: LOGINS }), { IdentityId: `${REGION}:abc` });
        assert.deepStrictEqual(
            server.seen.map((s) => [s.method, s.url]),
            [["POST", "/cognito-identity"]],
        );
    });

    it("addresses Cognito Identity of the region over HTTPS by default", async () => {
        // Nothing listens there from a test; the address is read off the error of a refused lookup or connection.
        const sender = createCognitoIdentitySender({ region: "xx-nowhere-1", maxAttempts: 1, connectionTimeoutMs: 500 });
        await assert.rejects(sender.getId({ IdentityPoolId: "p", Logins: LOGINS }), (error: NodeJS.ErrnoException & { hostname?: string }) => {
            assert.ok(error.name === "TimeoutError" || error.hostname === "cognito-identity.xx-nowhere-1.amazonaws.com" || /cognito-identity\.xx-nowhere-1\.amazonaws\.com/.test(error.message), `${error.name}: ${error.message}`);
            return true;
        });
    });
});
