import * as assert from "assert";

import {
    CognitoIdentityClient,
    GetCredentialsForIdentityCommand,
    GetIdCommand,
    NotAuthorizedException,
    TooManyRequestsException,
} from "@aws-sdk/client-cognito-identity";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import { Readable } from "stream";

import { createReadFileHandler } from "../lambdas/readFile";
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
const s3 = mockClient(S3Client);

function body(text: string) {
    return sdkStreamMixin(Readable.from([Buffer.from(text)]));
}

function s3Error(name: string, status: number) {
    return new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: name });
}

/** Cognito that knows every user, handing out credentials whose key id names the user. */
function cognitoKnowsEveryone() {
    cognito.on(GetIdCommand).callsFake((input) => {
        const token = input.Logins[PROVIDER_NAME];
        const sub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
        return { IdentityId: identityIdOf(sub) };
    });
    cognito.on(GetCredentialsForIdentityCommand).callsFake((input) => ({
        IdentityId: input.IdentityId,
        Credentials: {
            AccessKeyId: `ASIA-${input.IdentityId}`,
            SecretKey: "secret",
            SessionToken: "session",
            Expiration: new Date(Date.now() + 3600_000),
        },
    }));
}

function makeHandler(options: { cacheEntries?: number; now?: () => number } = {}) {
    const { verifier, fetches } = localVerifier([signingKey]);
    const logs: Record<string, unknown>[] = [];
    const handler = createReadFileHandler(
        { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX, cacheEntries: options.cacheEntries },
        {
            verifier,
            identity: new CognitoIdentityClient({ region: REGION }),
            s3For: (credentials) => new S3Client({ region: REGION, credentials }),
            now: options.now,
            log: (entry) => logs.push(entry),
        },
    );
    return { handler, fetches, logs };
}

const request = (token?: string, headerName = "idtoken") => ({
    headers: token === undefined ? {} : { [headerName]: token },
    requestContext: { requestId: "req-1", http: { method: "GET", path: "/read-file" } },
});

const awsCalls = () => cognito.calls().length + s3.calls().length;
const parsed = (response: { body: string }) => JSON.parse(response.body);

describe("GET /read-file handler", () => {
    beforeEach(() => {
        cognito.reset();
        s3.reset();
        cognitoKnowsEveryone();
        // A fresh stream per call: a body can be read once.
        s3.on(GetObjectCommand, { Bucket: BUCKET, Key: keyOf("alice") }).callsFake(() => ({ Body: body("alice's data"), ContentLength: 12 }));
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

        const read = s3.commandCalls(GetObjectCommand)[0];
        assert.deepStrictEqual(read.args[0].input, { Bucket: BUCKET, Key: keyOf("alice") });
        const client = read.thisValue as S3Client;
        const used = await (client.config.credentials as () => Promise<{ accessKeyId: string }>)();
        assert.strictEqual(used.accessKeyId, `ASIA-${identityIdOf("alice")}`, "S3 must be read with the user's identity-pool credentials");
    });

    it("finds the idToken header whatever its case", async () => {
        const { handler } = makeHandler();
        assert.strictEqual((await handler(request(idToken(signingKey, "alice"), "idToken"))).statusCode, 200);
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

    it("answers 403 when S3 denies the read and the caller may not list the key", async () => {
        s3.on(GetObjectCommand).rejects(s3Error("AccessDenied", 403));
        s3.on(ListObjectsV2Command).rejects(s3Error("AccessDenied", 403));
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "mallory")));
        assert.strictEqual(response.statusCode, 403);
        assert.strictEqual(parsed(response).error, "access_denied");
    });

    it("answers 404 when S3 denies a missing key that the caller's own listing shows absent", async () => {
        s3.on(GetObjectCommand).rejects(s3Error("AccessDenied", 403));
        s3.on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: keyOf("carol") }).resolves({ KeyCount: 0 });
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "carol")));
        assert.strictEqual(response.statusCode, 404);
    });

    it("answers 404 on NoSuchKey", async () => {
        s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "gone", $metadata: { httpStatusCode: 404 } }));
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "dave")));
        assert.strictEqual(response.statusCode, 404);
        assert.strictEqual(parsed(response).error, "not_found");
    });

    it("answers 503 with Retry-After when S3 throttles", async () => {
        s3.on(GetObjectCommand).rejects(s3Error("SlowDown", 503));
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
        assert.strictEqual(s3.calls().length, 0);
    });

    it("answers 401 when the identity pool refuses the token (for example a revoked session)", async () => {
        cognito.on(GetIdCommand).rejects(new NotAuthorizedException({ message: "Token is revoked", $metadata: { httpStatusCode: 400 } }));
        const { handler } = makeHandler();
        assert.strictEqual((await handler(request(idToken(signingKey, "alice")))).statusCode, 401);
    });

    it("answers 500 with a JSON body and no internals on an unexpected failure", async () => {
        s3.on(GetObjectCommand).rejects(new Error("socket hang up at /var/task/node_modules/secret.js:12"));
        const { handler } = makeHandler();
        const response = await handler(request(idToken(signingKey, "alice")));
        assert.strictEqual(response.statusCode, 500);
        assert.deepStrictEqual(Object.keys(parsed(response)).sort(), ["error", "message", "requestId"]);
        assert.ok(!response.body.includes("socket") && !response.body.includes("/var/task"));
    });

    describe("AWS calls per request", () => {
        it("costs three calls (GetId, GetCredentialsForIdentity, GetObject) and one JWKS fetch for a first request", async () => {
            const { handler, fetches } = makeHandler();
            await handler(request(idToken(signingKey, "alice")));
            assert.deepStrictEqual(
                [...cognito.calls(), ...s3.calls()].map((c) => (c.args[0] as object).constructor.name),
                ["GetIdCommand", "GetCredentialsForIdentityCommand", "GetObjectCommand"],
            );
            assert.strictEqual(fetches.count, 1);
        });

        it("costs exactly one call (the S3 read) for a user the warm container has seen", async () => {
            const { handler, fetches } = makeHandler();
            await handler(request(idToken(signingKey, "alice")));
            const before = awsCalls();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 200);
            assert.strictEqual(awsCalls() - before, 1);
            assert.strictEqual(s3.commandCalls(GetObjectCommand).length, 2);
            assert.strictEqual(fetches.count, 1, "the JWKS is fetched once per container");
        });

        it("replaces credentials about to expire, keeping the identity id (one Cognito call)", async () => {
            let clock = Date.now();
            const { handler } = makeHandler({ now: () => clock });
            await handler(request(idToken(signingKey, "alice")));
            clock += 56 * 60 * 1000; // credentials expire in 60 minutes; refreshed 5 minutes early
            const before = { getId: cognito.commandCalls(GetIdCommand).length, creds: cognito.commandCalls(GetCredentialsForIdentityCommand).length };
            await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(cognito.commandCalls(GetIdCommand).length, before.getId);
            assert.strictEqual(cognito.commandCalls(GetCredentialsForIdentityCommand).length, before.creds + 1);
        });

        it("recovers once from expired credentials by fetching new ones", async () => {
            s3.on(GetObjectCommand)
                .rejectsOnce(s3Error("ExpiredToken", 400))
                .resolves({ Body: body("fresh"), ContentLength: 5 });
            const { handler } = makeHandler();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 200);
            assert.strictEqual(cognito.commandCalls(GetCredentialsForIdentityCommand).length, 2);
        });

        it("does not loop when fresh credentials are refused as expired too", async () => {
            s3.on(GetObjectCommand).rejects(s3Error("ExpiredToken", 400));
            const { handler } = makeHandler();
            const response = await handler(request(idToken(signingKey, "alice")));
            assert.strictEqual(response.statusCode, 500);
            assert.strictEqual(s3.commandCalls(GetObjectCommand).length, 2);
        });

        it("keeps at most cacheEntries users, evicting the least recently used", async () => {
            s3.on(GetObjectCommand).callsFake(() => ({ Body: body("x"), ContentLength: 1 }));
            const { handler } = makeHandler({ cacheEntries: 2 });
            for (const user of ["u1", "u2", "u1", "u3"]) {
                await handler(request(idToken(signingKey, user)));
            }
            // u2 was least recently used when u3 arrived: it costs GetId again, u1 does not.
            const getIds = () => cognito.commandCalls(GetIdCommand).length;
            const beforeU1 = getIds();
            await handler(request(idToken(signingKey, "u1")));
            assert.strictEqual(getIds(), beforeU1);
            await handler(request(idToken(signingKey, "u2")));
            assert.strictEqual(getIds(), beforeU1 + 1);
        });
    });
});
