import * as assert from "assert";

import {
    CognitoIdentityClient,
    GetCredentialsForIdentityCommand,
    GetIdCommand,
    NotAuthorizedException,
    TooManyRequestsException,
} from "@aws-sdk/client-cognito-identity";
import { mockClient } from "aws-sdk-client-mock";

import { CognitoIdentitySender, VerifiedClaims } from "../lambdas/identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "../lambdas/readFile";
import { S3Error, S3Reader } from "../lambdas/s3Reader";
import { fakeIdentity, fullCredentials } from "./support/fakeIdentity";
import { S3Double } from "./support/s3Double";
import {
    hs256Token,
    idToken,
    localVerifier,
    makeSigningKey,
    PROVIDER_NAME,
    REGION,
    unsignedToken,
    withTamperedPayload,
    withTamperedSignature,
} from "./support/tokens";

const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;
const BUCKET = "user-files-test";
const PREFIX = "cognito-test";
const identityIdOf = (sub: string) => `${REGION}:id-${sub}`;
const keyOf = (sub: string) => `${PREFIX}/${identityIdOf(sub)}/data.txt`;

const signingKey = makeSigningKey("key-1");
const strangerKey = makeSigningKey("key-stranger");

const cognito = mockClient(CognitoIdentityClient);
const s3 = new S3Double();

const s3Error = (name: string, status: number) => new S3Error(name, status);

const groupsOf = (token: string): string[] => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString())["cognito:groups"] ?? [];

/**
 * Cognito that knows every user, handing out credentials whose key id names the user and
 * the role its token's groups map to (as the identity pool's rules on `cognito:groups` do).
 */
function cognitoKnowsEveryone() {
    cognito.on(GetIdCommand).callsFake((input) => {
        const token = input.Logins[PROVIDER_NAME];
        const sub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
        return { IdentityId: identityIdOf(sub) };
    });
    cognito.on(GetCredentialsForIdentityCommand).callsFake((input) => ({
        IdentityId: input.IdentityId,
        Credentials: {
            AccessKeyId: `ASIA-${groupsOf(input.Logins[PROVIDER_NAME]).includes("admin") ? "admin" : "user"}-${input.IdentityId}`,
            SecretKey: "secret",
            SessionToken: "session",
            Expiration: new Date(Date.now() + 3600_000),
        },
    }));
}

/** The handler's Cognito calls, sent through the SDK's client, which `aws-sdk-client-mock` answers and counts. */
const sdkSender = (client: CognitoIdentityClient): CognitoIdentitySender => ({
    getId: (input) => client.send(new GetIdCommand(input)),
    getCredentialsForIdentity: (input) => client.send(new GetCredentialsForIdentityCommand(input)),
});

interface HandlerOptions {
    cacheEntries?: number;
    revalidateAfterMs?: number;
    now?: () => number;
    verifier?: IdTokenVerifier;
    maxBytes?: number;
}

function makeHandler(options: HandlerOptions = {}) {
    const { verifier, fetches } = localVerifier([signingKey]);
    const logs: Record<string, unknown>[] = [];
    const handler = createReadFileHandler(
        {
            identityPoolId: IDENTITY_POOL_ID,
            providerName: PROVIDER_NAME,
            bucket: BUCKET,
            prefix: PREFIX,
            cacheEntries: options.cacheEntries,
            revalidateAfterMs: options.revalidateAfterMs,
            maxBytes: options.maxBytes,
        },
        {
            verifier: options.verifier ?? verifier,
            identity: sdkSender(new CognitoIdentityClient({ region: REGION })),
            s3For: (credentials) => s3.readerFor(credentials),
            now: options.now,
            log: (entry) => logs.push(entry),
        },
    );
    return { handler, fetches, logs };
}

/** The access key id the `index`th GetObject was signed with. */
async function readWithKey(index: number): Promise<string> {
    return s3.callsOf("GetObject")[index].accessKeyId;
}

const request = (token?: string, headerName = "idtoken") => ({
    headers: token === undefined ? {} : { [headerName]: token },
    requestContext: { requestId: "req-1", http: { method: "GET", path: "/read-file" } },
});

const awsCalls = () => cognito.calls().length + s3.calls.length;
const parsed = (response: { body: string }) => JSON.parse(response.body);

describe("GET /read-file handler", () => {
    beforeEach(() => {
        cognito.reset();
        s3.reset();
        cognitoKnowsEveryone();
        s3.objects.set(keyOf("alice"), "alice's data");
    });

    it("GIVEN a valid IdToken WHEN reading THEN returns the caller's own file, read with the caller's own credentials", async () => {
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "alice")));

        assert.strictEqual(response.statusCode, 200);
        assert.deepStrictEqual(parsed(response), { status: "success", data: "alice's data" });
        assert.strictEqual(response.headers["cache-control"], "no-store");

        const getId = cognito.commandCalls(GetIdCommand)[0].args[0].input;
        assert.strictEqual(getId.IdentityPoolId, IDENTITY_POOL_ID);
        assert.ok(getId.Logins && PROVIDER_NAME in getId.Logins);

        const read = s3.callsOf("GetObject")[0];
        assert.deepStrictEqual([read.bucket, read.key], [BUCKET, keyOf("alice")]);
        assert.strictEqual(await readWithKey(0), `ASIA-user-${identityIdOf("alice")}`, "S3 must be read with the user's identity-pool credentials");
    });

    it("refuses cache settings that cannot bound anything, naming the setting and the value", () => {
        assert.throws(() => makeHandler({ cacheEntries: 0 }), /cacheEntries must be a positive integer, got '0'/);
        assert.throws(() => makeHandler({ cacheEntries: 1.5 }), /cacheEntries must be a positive integer, got '1.5'/);
        assert.throws(() => makeHandler({ revalidateAfterMs: -1 }), /revalidateAfterMs must be a non-negative number, got '-1'/);
        assert.throws(() => makeHandler({ revalidateAfterMs: Number.NaN }), /revalidateAfterMs must be a non-negative number, got 'NaN'/);
    });

    it("finds the idToken header whatever its case", async () => {
        const { handler } = makeHandler();
        assert.strictEqual((await handler(request(idToken(signingKey, "alice"), "idToken"))).statusCode, 200);
    });

    it("reads the idToken header without the whitespace around it, and one of whitespace only as missing", async () => {
        const { handler, logs } = makeHandler();
        assert.strictEqual((await handler(request(` ${idToken(signingKey, "alice")}\t`))).statusCode, 200);
        const blank = await handler(request(" \t "));
        assert.strictEqual(blank.statusCode, 401);
        assert.strictEqual(parsed(blank).error, "missing_token");
        assert.strictEqual(logs[1].reason, "missing-token");
    });

    it("without a log function, writes one JSON line per request to standard output (Lambda's log), no token in it", async () => {
        const token = idToken(signingKey, "alice");
        const handler = createReadFileHandler(
            { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX },
            { verifier: localVerifier([signingKey]).verifier, identity: sdkSender(new CognitoIdentityClient({ region: REGION })), s3For: (credentials) => s3.readerFor(credentials) },
        );
        const lines: unknown[][] = [];
        const original = console.log;
        console.log = (...args: unknown[]) => void lines.push(args);
        try {
            assert.strictEqual((await handler(request(token))).statusCode, 200);
        } finally {
            console.log = original;
        }
        assert.strictEqual(lines.length, 1);
        assert.strictEqual(typeof lines[0][0], "string");
        const entry = JSON.parse(lines[0][0] as string);
        assert.deepStrictEqual([entry.route, entry.requestId, entry.status, entry.reason], ["GET /read-file", "req-1", 200, "ok"]);
        assert.ok(!(lines[0][0] as string).includes(token));
    });

    const now = () => Math.floor(Date.now() / 1000);
    const badTokens: Record<string, () => string | undefined> = {
        "no idToken header": () => undefined,
        "an empty header": () => "",
        garbage: () => "not-a-jwt",
        "three segments of garbage": () => "aaa.bbb.ccc",
        "alg none": () => unsignedToken("alice"),
        "HS256 keyed with the public key": () => hs256Token(signingKey, "alice"),
        "another issuer": () => idToken(signingKey, "alice", { claims: { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" } }),
        "another app client": () => idToken(signingKey, "alice", { claims: { aud: "someotherclient" } }),
        "an access token": () => idToken(signingKey, "alice", { claims: { token_use: "access", aud: undefined, client_id: "testclient0123456789abcdef" } }),
        expired: () => idToken(signingKey, "alice", { claims: { iat: now() - 7200, exp: now() - 3600 } }),
        "not yet valid": () => idToken(signingKey, "alice", { claims: { nbf: now() + 3600 } }),
        "a tampered payload (sub changed)": () => withTamperedPayload(idToken(signingKey, "bob"), { sub: "alice" }),
        "a tampered signature": () => withTamperedSignature(idToken(signingKey, "alice")),
        "an unknown kid": () => idToken(strangerKey, "alice"),
        "a right kid signed by another key": () => idToken(signingKey, "alice", { key: strangerKey }),
        "a token longer than any Cognito token": () => `${"a".repeat(9000)}.b.c`,
    };
    for (const [kind, make] of Object.entries(badTokens)) {
        it(`refuses ${kind} with 401 and makes no AWS call`, async () => {
            const { handler, logs } = makeHandler();
            const response = await handler(request(make()));
            assert.strictEqual(response.statusCode, 401);
            const error = parsed(response);
            assert.match(error.error, /^(missing_token|invalid_token)$/);
            assert.strictEqual(error.requestId, "req-1");
            assert.strictEqual(awsCalls(), 0, "no AWS call may be made for a bad token");
            assert.ok(!JSON.stringify(logs).includes("eyJ"), "tokens never reach the logs");
        });
    }

    describe("the token shape guard", () => {
        /** A verifier that accepts anything and counts calls: only the handler's own guard can refuse. */
        function countingVerifier() {
            const seen: string[] = [];
            const verifier: IdTokenVerifier = {
                verify: async (token) => {
                    seen.push(token);
                    return { sub: "alice", exp: Math.floor(Date.now() / 1000) + 3600 };
                },
            };
            return { verifier, seen };
        }
        const segment = (length: number) => "a".repeat(length);
        const malformed: Record<string, string> = {
            "one segment": "not-a-jwt",
            "two segments": "aaa.bbb",
            "four segments": "aaa.bbb.ccc.ddd",
            "an empty segment": "aaa..ccc",
            "standard base64 characters": "aa+a.bb/b.ccc",
            "base64 padding": "aaa.bbb.ccc=",
            "inner whitespace": "aaa.b bb.ccc",
            "a quote": 'aaa.bbb.ccc"',
            "8193 characters": `${segment(8189)}.b.c`,
            "a megabyte": `${segment(1 << 20)}.b.c`,
        };
        for (const [kind, token] of Object.entries(malformed)) {
            it(`refuses a token with ${kind} as invalid_token without calling the verifier`, async () => {
                const { verifier, seen } = countingVerifier();
                const { handler, logs } = makeHandler({ verifier });
                const response = await handler(request(token));
                assert.strictEqual(response.statusCode, 401);
                assert.strictEqual(parsed(response).error, "invalid_token");
                assert.deepStrictEqual(seen, [], "a malformed token must not reach the verifier");
                assert.strictEqual(awsCalls(), 0);
                assert.strictEqual(logs[0].reason, "malformed-token");
            });
        }

        it("passes a well-formed token of exactly 8192 characters to the verifier", async () => {
            const { verifier, seen } = countingVerifier();
            const { handler } = makeHandler({ verifier });
            const token = `${segment(8188)}.b.c`;
            await handler(request(token));
            assert.deepStrictEqual(seen, [token]);
        });
    });

    it("answers 403 when S3 denies the read and the caller may not list the key", async () => {
        s3.onGet = () => {
            throw s3Error("AccessDenied", 403);
        };
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "mallory")));
        assert.strictEqual(response.statusCode, 403);
        assert.strictEqual(parsed(response).error, "access_denied");
        assert.deepStrictEqual(
            s3.calls.map((c) => [c.op, c.key]),
            [
                ["GetObject", keyOf("mallory")],
                ["ListObjectsV2", keyOf("mallory")],
            ],
        );
    });

    it("answers 404 when S3 denies a missing key that the caller's own listing shows absent", async () => {
        s3.onList = (call) => (call.bucket === BUCKET && call.key === keyOf("carol") ? 0 : 1);
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "carol")));
        assert.strictEqual(response.statusCode, 404);
        assert.strictEqual(parsed(response).error, "not_found");
    });

    it("answers 403 when S3 denies a key that the caller's listing shows present", async () => {
        s3.onList = () => 1;
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "carol")));
        assert.strictEqual(response.statusCode, 403);
        assert.strictEqual(parsed(response).error, "access_denied");
    });

    it("answers 413, reading nothing into the response, for a file larger than maxBytes", async () => {
        s3.objects.set(keyOf("erin"), "x".repeat(11));
        const { handler, logs } = makeHandler({ maxBytes: 10 });
        const response = await handler(request(idToken(signingKey, "erin")));
        assert.strictEqual(response.statusCode, 413);
        assert.strictEqual(parsed(response).error, "file_too_large");
        assert.strictEqual(logs[0].reason, "too-large");
        s3.objects.set(keyOf("erin"), "x".repeat(10));
        assert.strictEqual((await handler(request(idToken(signingKey, "erin")))).statusCode, 200, "exactly maxBytes is served");
    });

    it("answers 404 on NoSuchKey", async () => {
        s3.onGet = () => {
            throw s3Error("NoSuchKey", 404);
        };
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "dave")));
        assert.strictEqual(response.statusCode, 404);
        assert.strictEqual(parsed(response).error, "not_found");
    });

    it("answers 503 with Retry-After when S3 throttles", async () => {
        s3.onGet = () => {
            throw s3Error("SlowDown", 503);
        };
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "alice")));
        assert.strictEqual(response.statusCode, 503);
        assert.ok(Number(response.headers["retry-after"]) > 0);
    });

    it("answers 503 with Retry-After when Cognito throttles", async () => {
        cognito.on(GetIdCommand).rejects(new TooManyRequestsException({ message: "slow down", $metadata: { httpStatusCode: 429 } }));
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "alice")));
        assert.strictEqual(response.statusCode, 503);
        assert.ok(response.headers["retry-after"]);
        assert.strictEqual(s3.calls.length, 0);
    });

    it("answers 401 when the identity pool refuses the token (for example a revoked session)", async () => {
        cognito.on(GetIdCommand).rejects(new NotAuthorizedException({ message: "Token is revoked", $metadata: { httpStatusCode: 400 } }));
        const { handler } = makeHandler();
        assert.strictEqual((await handler(request(idToken(signingKey, "alice")))).statusCode, 401);
    });

    it("answers 503 with Retry-After when S3 does not answer in time or the connection breaks", async () => {
        for (const failure of [Object.assign(new Error("no answer within 3000 ms"), { name: "TimeoutError" }), Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })]) {
            s3.onGet = () => {
                throw failure;
            };
            const { handler } = makeHandler();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 503, failure.message);
            assert.ok(response.headers?.["retry-after"] ?? response.headers?.["Retry-After"], "a Retry-After header");
            assert.ok(!response.body.includes("ECONNRESET") && !response.body.includes("3000 ms"));
        }
    });

    it("answers 500 with a JSON body and no internals on an unexpected failure", async () => {
        s3.onGet = () => {
            throw new Error("socket hang up at /var/task/node_modules/secret.js:12");
        };
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "alice")));
        assert.strictEqual(response.statusCode, 500);
        assert.deepStrictEqual(Object.keys(parsed(response)).sort(), ["error", "message", "requestId"]);
        assert.ok(!response.body.includes("socket") && !response.body.includes("/var/task"));
    });

    describe("AWS calls per request", () => {
        const getIds = () => cognito.commandCalls(GetIdCommand).length;
        const issues = () => cognito.commandCalls(GetCredentialsForIdentityCommand).length;

        it("costs three calls (GetId, GetCredentialsForIdentity, GetObject) and one JWKS fetch for a first request", async () => {
            const { handler, fetches } = makeHandler();
            await handler(request(idToken(signingKey, "alice")));
            assert.deepStrictEqual(
                [...cognito.calls().map((c) => (c.args[0] as object).constructor.name), ...s3.calls.map((c) => c.op)],
                ["GetIdCommand", "GetCredentialsForIdentityCommand", "GetObject"],
            );
            assert.strictEqual(fetches.count, 1);
        });

        it("costs exactly one call (the S3 read) for the same token within the revalidation window", async () => {
            let clock = Date.now();
            const { handler, fetches } = makeHandler({ now: () => clock });
            const token = idToken(signingKey, "alice");
            await handler(request(token));
            clock += 5 * 60 * 1000 - 1;
            const before = awsCalls();
            const response = await handler(request(token));
            assert.strictEqual(response.statusCode, 200);
            assert.strictEqual(awsCalls() - before, 1);
            assert.strictEqual(s3.callsOf("GetObject").length, 2);
            assert.strictEqual(fetches.count, 1, "the JWKS is fetched once per container");
        });

        it("GIVEN an admin demoted to user WHEN their new token arrives THEN new credentials are issued for it, never the admin's", async () => {
            const { handler } = makeHandler();
            const asAdmin = idToken(signingKey, "alice", { claims: { "cognito:groups": ["admin"] } });
            const asUser = idToken(signingKey, "alice", { claims: { "cognito:groups": ["user"], iat: Math.floor(Date.now() / 1000) + 1 } });
            assert.strictEqual((await handler(request(asAdmin))).statusCode, 200);
            assert.strictEqual(await readWithKey(0), `ASIA-admin-${identityIdOf("alice")}`);

            const response = await handler(request(asUser));
            assert.strictEqual(response.statusCode, 200);
            assert.strictEqual(issues(), 2, "the new token is exchanged with the identity pool");
            assert.strictEqual(getIds(), 1, "the identity id is remembered per user");
            assert.strictEqual(cognito.commandCalls(GetCredentialsForIdentityCommand)[1].args[0].input.Logins?.[PROVIDER_NAME], asUser);
            assert.strictEqual(await readWithKey(1), `ASIA-user-${identityIdOf("alice")}`, "the new token must not get the admin credentials");
        });

        it("asks the identity pool again for the same token once the revalidation window has passed", async () => {
            let clock = Date.now();
            const { handler } = makeHandler({ now: () => clock });
            const token = idToken(signingKey, "alice");
            await handler(request(token));
            clock += 5 * 60 * 1000;
            assert.strictEqual((await handler(request(token))).statusCode, 200);
            assert.strictEqual(issues(), 2);
            assert.strictEqual(getIds(), 1);
        });

        it("answers 401, and keeps no credentials, when the identity pool refuses a token at revalidation (signed out, revoked)", async () => {
            let clock = Date.now();
            const { handler } = makeHandler({ now: () => clock, revalidateAfterMs: 60_000 });
            const token = idToken(signingKey, "alice");
            assert.strictEqual((await handler(request(token))).statusCode, 200);

            cognito
                .on(GetCredentialsForIdentityCommand)
                .rejects(new NotAuthorizedException({ message: "Token is revoked", $metadata: { httpStatusCode: 400 } }));
            clock += 60_000;
            const refused = await handler(request(token));
            assert.strictEqual(refused.statusCode, 401);
            assert.strictEqual(parsed(refused).error, "invalid_token");

            const again = await handler(request(token));
            assert.strictEqual(again.statusCode, 401, "refused credentials are not served from the cache afterwards");
            assert.strictEqual(issues(), 3);
            assert.strictEqual(s3.callsOf("GetObject").length, 1);
        });

        it("never reuses credentials past the token's exp, whatever the revalidation window", async () => {
            let clock = Date.now();
            const { handler } = makeHandler({ now: () => clock, revalidateAfterMs: 2 * 3600_000 });
            const exp = Math.floor(clock / 1000) + 10 * 60;
            const token = idToken(signingKey, "alice", { claims: { exp } });
            await handler(request(token));
            clock = exp * 1000 - 1;
            await handler(request(token));
            assert.strictEqual(issues(), 1, "reused until just before exp");
            // The verifier reads the real clock, so the token still verifies: only the cache bound is tested.
            clock = exp * 1000;
            assert.strictEqual((await handler(request(token))).statusCode, 200);
            assert.strictEqual(issues(), 2);
        });

        it("replaces credentials five minutes before they expire, keeping the identity id (one Cognito call)", async () => {
            let clock = Date.now();
            const { handler } = makeHandler({ now: () => clock, revalidateAfterMs: 2 * 3600_000 });
            const token = idToken(signingKey, "alice", { claims: { exp: Math.floor(clock / 1000) + 2 * 3600 } });
            await handler(request(token));
            clock += 55 * 60 * 1000 - 1000; // credentials expire in 60 minutes
            await handler(request(token));
            assert.strictEqual(issues(), 1);
            clock += 2000; // the fake issued them a few milliseconds after the clock was read
            await handler(request(token));
            assert.strictEqual(getIds(), 1);
            assert.strictEqual(issues(), 2);
        });

        it("recovers once from expired credentials by fetching new ones", async () => {
            let reads = 0;
            s3.onGet = () => {
                if (reads++ === 0) throw s3Error("ExpiredToken", 400);
                return "fresh";
            };
            const { handler } = makeHandler();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 200);
            assert.strictEqual(parsed(response).data, "fresh");
            assert.strictEqual(issues(), 2);
        });

        it("does not loop when fresh credentials are refused as expired too", async () => {
            s3.onGet = () => {
                throw s3Error("ExpiredToken", 400);
            };
            const { handler } = makeHandler();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 500);
            assert.strictEqual(s3.callsOf("GetObject").length, 2);
        });

        it("keeps the identity ids of at most cacheEntries users, evicting the least recently used", async () => {
            s3.onGet = () => "x";
            const { handler } = makeHandler({ cacheEntries: 2 });
            for (const user of ["u1", "u2", "u1", "u3"]) {
                await handler(request(idToken(signingKey, user)));
            }
            // u2 was least recently used when u3 arrived: it costs GetId again, u1 does not.
            const beforeU1 = getIds();
            await handler(request(idToken(signingKey, "u1")));
            assert.strictEqual(getIds(), beforeU1);
            await handler(request(idToken(signingKey, "u2")));
            assert.strictEqual(getIds(), beforeU1 + 1);
        });

        it("keeps the credentials of at most cacheEntries tokens, evicting the least recently used", async () => {
            s3.onGet = () => "x";
            const { handler } = makeHandler({ cacheEntries: 2 });
            const tokens = Object.fromEntries(["t1", "t2", "t3"].map((user) => [user, idToken(signingKey, user)]));
            for (const user of ["t1", "t2", "t1", "t3"]) {
                await handler(request(tokens[user]));
            }
            const before = issues();
            await handler(request(tokens.t1));
            assert.strictEqual(issues(), before);
            await handler(request(tokens.t2));
            assert.strictEqual(issues(), before + 1);
        });
    });
});

describe("GET /read-file against a reader that answers as told", () => {
    const key = makeSigningKey("gaps-key");
    const claimsOf = (sub: string): VerifiedClaims => ({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });

    /**
     * An S3 reader that answers GetObject and ListObjectsV2 as told and records each call. `get`
     * gives the object (its text, and a length when it differs); `list` how many keys the listing finds.
     */
    function fakeS3(get: () => unknown, list: () => unknown = () => 0) {
        const calls: string[] = [];
        const sender: S3Reader = {
            async getObject(_bucket, key, maxBytes) {
                calls.push(`GetObject ${key}`);
                const object = (await get()) as { readonly text: string; readonly length?: number };
                const length = object.length ?? Buffer.byteLength(object.text);
                return length > maxBytes ? { tooLarge: true } : { tooLarge: false, text: object.text };
            },
            async countKeys(_bucket, prefix) {
                calls.push(`ListObjectsV2 ${prefix}`);
                return (await list()) as number;
            },
        };
        return { sender, calls };
    }

    const acceptingVerifier: IdTokenVerifier = { verify: async (token) => ({ sub: JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub, exp: Math.floor(Date.now() / 1000) + 3600 }) };
    const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    const ownKey = (sub: string) => `${PREFIX}/${REGION}:id-${sub}/data.txt`;

    function handlerWith(s3: S3Reader, options: { maxBytes?: number; verifier?: IdTokenVerifier; identity?: CognitoIdentitySender; now?: () => number } = {}) {
        const identity = options.identity ? { sender: options.identity, calls: [] as string[] } : fakeIdentity(fullCredentials);
        const logs: Record<string, unknown>[] = [];
        const handler = createReadFileHandler(
            { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX, maxBytes: options.maxBytes },
            { verifier: options.verifier ?? acceptingVerifier, identity: identity.sender, s3For: () => s3, now: options.now, log: (entry) => logs.push(entry) },
        );
        return { handler, identityCalls: identity.calls, logs };
    }

    const event = (token?: string) => ({ headers: token === undefined ? {} : { idtoken: token }, requestContext: { requestId: "req-gap" } });
    const bodyOf = (text: string) => ({ text });

    it("refuses a file larger than maxBytes with 413 without reading it, and serves one of exactly maxBytes", async () => {
        let reads = 0;
        const sized = (length: number) => () => ({
            length,
            get text() {
                reads++;
                return "x".repeat(length);
            },
        });
        const tooLarge = handlerWith(fakeS3(sized(11)).sender, { maxBytes: 10 });
        const refused = await tooLarge.handler(event(idToken(key, "alice")));
        assert.strictEqual(refused.statusCode, 413);
        assert.strictEqual(JSON.parse(refused.body).error, "file_too_large");
        assert.strictEqual(reads, 0, "the body of a too-large file is never read");
        assert.strictEqual(tooLarge.logs[0].reason, "too-large");

        const exact = await handlerWith(fakeS3(sized(10)).sender, { maxBytes: 10 }).handler(event(idToken(key, "alice")));
        assert.strictEqual(exact.statusCode, 200);
        assert.strictEqual(JSON.parse(exact.body).data, "x".repeat(10));
    });

    it("applies a 1 MiB cap when maxBytes is not set", async () => {
        const big = 1024 * 1024 + 1;
        const response = await handlerWith(fakeS3(() => ({ length: big, text: "" })).sender).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 413);
    });

    it("answers 403, not 404, when S3 denies a key that the caller's own listing shows present", async () => {
        for (const listing of [1]) {
            const s3 = fakeS3(
                () => Promise.reject(awsError("AccessDenied", 403)),
                () => listing,
            );
            const response = await handlerWith(s3.sender).handler(event(idToken(key, "alice")));
            assert.strictEqual(response.statusCode, 403, JSON.stringify(listing));
            assert.strictEqual(JSON.parse(response.body).error, "access_denied");
            assert.deepStrictEqual(s3.calls, [`GetObject ${ownKey("alice")}`, `ListObjectsV2 ${ownKey("alice")}`], "the listing names the caller's own key only");
        }
    });

    it("answers 503 when the listing that tells absent from refused is throttled", async () => {
        const s3 = fakeS3(
            () => Promise.reject(awsError("AccessDenied", 403)),
            () => Promise.reject(awsError("SlowDown", 503)),
        );
        const response = await handlerWith(s3.sender).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 503);
    });

    it("does not ask for new credentials when S3 denies a read: only expired credentials are replaced", async () => {
        const s3 = fakeS3(() => Promise.reject(awsError("AccessDenied", 403)));
        const { handler, identityCalls } = handlerWith(s3.sender);
        assert.strictEqual((await handler(event(idToken(key, "alice")))).statusCode, 404);
        assert.deepStrictEqual(identityCalls, ["GetId", "GetCredentialsForIdentity"]);
        assert.deepStrictEqual(s3.calls, [`GetObject ${ownKey("alice")}`, `ListObjectsV2 ${ownKey("alice")}`]);
    });

    it("answers 403 no_role when the identity pool maps the user to no role, and 500 for the same name from S3", async () => {
        const noRole: CognitoIdentitySender = {
            async getId() {
                return { IdentityId: `${REGION}:id-eve` };
            },
            async getCredentialsForIdentity() {
                throw awsError("InvalidIdentityPoolConfigurationException", 400);
            },
        };
        const refused = await handlerWith(fakeS3(() => bodyOf("x")).sender, { identity: noRole }).handler(event(idToken(key, "eve")));
        assert.strictEqual(refused.statusCode, 403);
        assert.strictEqual(JSON.parse(refused.body).error, "no_role");

        const fromS3 = await handlerWith(fakeS3(() => Promise.reject(awsError("InvalidIdentityPoolConfigurationException", 400))).sender).handler(event(idToken(key, "eve")));
        assert.strictEqual(fromS3.statusCode, 500);
    });

    it("answers 503, not 401, when the token keys cannot be fetched", async () => {
        const { FetchError } = require("aws-jwt-verify/error") as typeof import("aws-jwt-verify/error");
        const verifier: IdTokenVerifier = {
            verify: async () => {
                throw new FetchError("https://cognito-idp.example/jwks.json", "connection refused");
            },
        };
        const response = await handlerWith(fakeS3(() => bodyOf("x")).sender, { verifier }).handler(event(idToken(key, "alice")));
        assert.strictEqual(response.statusCode, 503);
        assert.ok(Number(response.headers?.["retry-after"]) > 0);
    });

    it("refuses, without calling the verifier, a JWT-shaped token with junk before or after it", async () => {
        // The module is loaded afresh, so its token shape is the one the code under test builds now.
        const modulePath = require.resolve("../lambdas/readFile");
        delete require.cache[modulePath];
        const fresh = require(modulePath) as typeof import("../lambdas/readFile");
        const seen: string[] = [];
        const verifier: IdTokenVerifier = { verify: async (token) => (seen.push(token), claimsOf("alice")) };
        const handler = fresh.createReadFileHandler(
            { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX },
            { verifier, identity: fakeIdentity(fullCredentials).sender, s3For: () => fakeS3(() => bodyOf("x")).sender, log: () => undefined },
        );
        for (const token of ["!aaa.bbb.ccc", "aaa.bbb.ccc!", "aaa.!.ccc", "!.bbb.ccc", "aaa.bbb.!"]) {
            assert.strictEqual((await handler(event(token))).statusCode, 401, token);
        }
        assert.deepStrictEqual(seen, []);
        const real = idToken(key, "alice");
        await handler(event("a.b.c"));
        await handler(event(real));
        assert.deepStrictEqual(seen, ["a.b.c", real], "one character per segment, and a real IdToken, are shapes the verifier decides on");
    });

    describe("what each answer says, and its one log line", () => {
        const failingIdentity = (error: unknown): CognitoIdentitySender => ({
            async getId() {
                throw error;
            },
            async getCredentialsForIdentity() {
                throw error;
            },
        });
        const refusingVerifier = (error: unknown): IdTokenVerifier => ({
            verify: async () => {
                throw error;
            },
        });
        const { FetchError } = require("aws-jwt-verify/error") as typeof import("aws-jwt-verify/error");
        const denied = () => Promise.reject(awsError("AccessDenied", 403));
        const unavailable = () => Promise.reject(awsError("ServiceUnavailable", 503));
        type Case = {
            s3?: S3Reader;
            identity?: CognitoIdentitySender;
            verifier?: IdTokenVerifier;
            token?: string | null;
            status: number;
            error: string;
            reason: string;
            identityId?: string;
            /** What the sentence must name, besides being one. */
            names?: RegExp;
        };
        const alice = `${REGION}:id-alice`;
        const cases: Record<string, Case> = {
            "no token": { token: null, status: 401, error: "missing_token", reason: "missing-token" },
            "a token that is not a JWT": { token: "not-a-jwt", status: 401, error: "invalid_token", reason: "malformed-token" },
            "a token the verifier refuses": { verifier: refusingVerifier(Object.assign(new Error("expired"), { name: "JwtExpiredError" })), status: 401, error: "invalid_token", reason: "token:JwtExpiredError" },
            "token keys that cannot be fetched": { verifier: refusingVerifier(new FetchError("https://cognito-idp.example/jwks.json", "refused")), status: 503, error: "temporarily_unavailable", reason: "jwks-unavailable" },
            "a token the identity pool refuses": { identity: failingIdentity(awsError("NotAuthorizedException", 400)), status: 401, error: "invalid_token", reason: "identity:NotAuthorizedException" },
            "a user the identity pool maps to no role": { identity: failingIdentity(awsError("InvalidIdentityPoolConfigurationException", 400)), status: 403, error: "no_role", reason: "identity:InvalidIdentityPoolConfigurationException" },
            "another identity-pool failure": { identity: failingIdentity(awsError("ResourceNotFoundException", 400)), status: 500, error: "internal_error", reason: "identity:ResourceNotFoundException" },
            "an identity-pool failure without an error object": { identity: failingIdentity(undefined), status: 500, error: "internal_error", reason: "identity:Error" },
            "an unavailable S3": { s3: fakeS3(unavailable).sender, status: 503, error: "temporarily_unavailable", reason: "s3:ServiceUnavailable", identityId: alice },
            "a denied read of a key the listing shows absent": { s3: fakeS3(denied, () => 0).sender, status: 404, error: "not_found", reason: "s3:NoSuchKey", identityId: alice, names: /data\.txt/ },
            "a denied read of a key the listing shows present": { s3: fakeS3(denied, () => 1).sender, status: 403, error: "access_denied", reason: "s3:AccessDenied", identityId: alice },
            "a denied read whose listing fails": { s3: fakeS3(denied, unavailable).sender, status: 503, error: "temporarily_unavailable", reason: "s3:ServiceUnavailable", identityId: alice },
            "a file larger than maxBytes": { s3: fakeS3(() => ({ length: 11, text: "" })).sender, status: 413, error: "file_too_large", reason: "too-large", identityId: alice, names: /data\.txt.*\b10 bytes/ },
        };
        for (const [what, c] of Object.entries(cases)) {
            it(`${what}: ${c.status} ${c.error}, with a sentence and the request id; logged as ${c.reason}`, async () => {
                let clock = 1_000_000;
                const { handler, logs } = handlerWith(c.s3 ?? fakeS3(() => bodyOf("x")).sender, {
                    identity: c.identity,
                    verifier: c.verifier,
                    maxBytes: 10,
                    now: () => (clock += 7),
                });
                const response = await handler(event(c.token === null ? undefined : (c.token ?? idToken(key, "alice"))));
                assert.strictEqual(response.statusCode, c.status, response.body);
                const body = JSON.parse(response.body);
                assert.deepStrictEqual(Object.keys(body).sort(), ["error", "message", "requestId"]);
                assert.strictEqual(body.error, c.error);
                assert.strictEqual(body.requestId, "req-gap");
                assert.ok(typeof body.message === "string" && body.message.length > 0, "a sentence for the caller");
                if (c.names) assert.match(body.message, c.names);
                assert.strictEqual(response.headers["retry-after"] !== undefined, c.status === 503, "Retry-After on 503 only");
                assert.deepStrictEqual(logs, [{ route: "GET /read-file", requestId: "req-gap", status: c.status, reason: c.reason, identityId: c.identityId, ms: logs[0]?.ms }]);
                assert.ok(typeof logs[0].ms === "number" && logs[0].ms > 0 && logs[0].ms < 1000, `ms: ${logs[0].ms}`);
            });
        }

        it("a served file: 200 with its text, logged as ok with the identity id, no retries and the time taken", async () => {
            let clock = 1_000_000;
            const { handler, logs } = handlerWith(fakeS3(() => bodyOf("alice's data")).sender, { now: () => (clock += 5) });
            const response = await handler(event(idToken(key, "alice")));
            assert.strictEqual(response.statusCode, 200);
            assert.deepStrictEqual(JSON.parse(response.body), { status: "success", data: "alice's data" });
            assert.deepStrictEqual(logs, [{ route: "GET /read-file", requestId: "req-gap", status: 200, reason: "ok", identityId: `${REGION}:id-alice`, ms: clock - 1_000_005 }]);
        });

        it("answers a request without API Gateway's requestContext, with a null request id", async () => {
            const { handler, logs } = handlerWith(fakeS3(() => bodyOf("x")).sender);
            const served = await handler({ headers: { idtoken: idToken(key, "alice") } });
            assert.strictEqual(served.statusCode, 200, served.body);
            const refused = await handler({ headers: {} });
            assert.strictEqual(refused.statusCode, 401);
            assert.strictEqual(JSON.parse(refused.body).requestId, null);
            assert.deepStrictEqual(
                logs.map((entry) => [entry.status, entry.requestId]),
                [
                    [200, undefined],
                    [401, undefined],
                ],
            );
        });

        it("answers 500, logged as unexpected, when a failure escapes every step (a verifier rejecting with no error object)", async () => {
            for (const requestContext of [{ requestId: "req-gap" }, undefined]) {
                const { handler, logs } = handlerWith(fakeS3(() => bodyOf("x")).sender, { verifier: refusingVerifier(undefined) });
                const response = await handler({ headers: { idtoken: idToken(key, "alice") }, requestContext });
                assert.strictEqual(response.statusCode, 500, response.body);
                const body = JSON.parse(response.body);
                assert.strictEqual(body.error, "internal_error");
                assert.ok(typeof body.message === "string" && body.message.length > 0);
                assert.strictEqual(body.requestId, requestContext ? "req-gap" : null);
                assert.strictEqual(logs[0].reason, "unexpected:TypeError");
            }
        });
    });
});
