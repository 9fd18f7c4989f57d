/**
 * lambdas/readFileFunction.ts: the read-file function as Lambda runs it, with the user pool's key
 * set, Cognito Identity and S3 on a loopback fake.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { isBuiltin } from "module";
import { AddressInfo } from "net";
import * as path from "path";
import * as ts from "typescript";

import { READ_FILE_PACKAGES, readFileCallbackFactory } from "../lambdas/readFileFunction";
import { identityIdFor, startFakeAws } from "./support/fakeAws";
import { CLIENT_ID, idToken, makeSigningKey, REGION, USER_POOL_ID } from "./support/tokens";

// Required, not imported: the test swaps its `request` for the Lambda factory's key fetch.
const https = require("https") as typeof import("https");

const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;
const BUCKET = "user-files-gaps";
const PREFIX = "cognito-test";

const event = (token?: string) => ({ headers: token === undefined ? {} : { idtoken: token }, requestContext: { requestId: "req-gap" } });

describe("the deployed read-file function's token checks", () => {
    // The factory as Lambda runs it, in this process: its Cognito Identity and S3 calls go to a loopback
    // fake, and the user pool's key set is fetched from there too.
    const signing = makeSigningKey("factory-key");
    const ENV = {
        USER_POOL_ID,
        USER_POOL_CLIENT_ID: CLIENT_ID,
        IDENTITY_POOL_ID,
        USER_FILES_BUCKET: BUCKET,
        USER_FILES_PREFIX: PREFIX,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: "AKIAEXECUTIONROLE",
        AWS_SECRET_ACCESS_KEY: "execution-role-secret",
    };
    let fake: Awaited<ReturnType<typeof startFakeAws>>;
    const saved: Record<string, string | undefined> = {};
    const originalRequest = https.request;

    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [signing.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
        const env: Record<string, string> = { ...ENV, AWS_ENDPOINT_URL_COGNITO_IDENTITY: fake.url, AWS_ENDPOINT_URL_S3: fake.url };
        for (const [name, value] of Object.entries(env)) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
        (https as { request: unknown }).request = function request(this: unknown, uri: unknown, ...rest: unknown[]) {
            const url = typeof uri === "string" ? new URL(uri) : uri instanceof URL ? uri : null;
            if (url && /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname)) {
                const [options, callback] = rest as [import("https").RequestOptions, (res: http.IncomingMessage) => void];
                return http.request(`${fake.url}${url.pathname}`, { ...options, agent: undefined }, callback);
            }
            return (originalRequest as (...args: unknown[]) => unknown).apply(this, [uri, ...rest]);
        };
    });
    after(async () => {
        (https as { request: unknown }).request = originalRequest;
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        await fake.close();
    });
    beforeEach(() => fake.calls.splice(0));

    it("serves a user's IdToken of the app client, naming the user pool as the identity provider", async () => {
        fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`, "hello alice");
        const handler = readFileCallbackFactory();
        const response = await handler(event(idToken(signing, "alice")));
        assert.strictEqual(response.statusCode, 200, response.body);
        assert.strictEqual(JSON.parse(response.body).data, "hello alice");
        assert.deepStrictEqual(fake.calls, ["jwks", "GetId", "GetCredentialsForIdentity", `GetObject ${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`]);
    });

    it("names the user pool of its settings as the identity provider in every Cognito Identity call", async () => {
        // A loopback proxy in front of the fake's Cognito Identity records what the function sends.
        const bodies: { target: string; body: { Logins?: Record<string, string> } }[] = [];
        const proxy = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (chunk: Buffer) => chunks.push(chunk));
            req.on("end", () => {
                const body = Buffer.concat(chunks).toString();
                bodies.push({ target: String(req.headers["x-amz-target"]), body: JSON.parse(body) });
                const forwarded = http.request(`${fake.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
                    res.writeHead(answer.statusCode ?? 502, answer.headers);
                    answer.pipe(res);
                });
                forwarded.end(body);
            });
        });
        await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        const direct = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY;
        process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
        try {
            fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`, "hello alice");
            const response = await readFileCallbackFactory()(event(idToken(signing, "alice")));
            assert.strictEqual(response.statusCode, 200, response.body);
        } finally {
            process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY = direct;
            proxy.closeAllConnections();
            await new Promise<void>((resolve) => proxy.close(() => resolve()));
        }
        assert.deepStrictEqual(
            bodies.map(({ target, body }) => [target, Object.keys(body.Logins ?? {})]),
            [
                ["AWSCognitoIdentityService.GetId", [`cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`]],
                ["AWSCognitoIdentityService.GetCredentialsForIdentity", [`cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`]],
            ],
        );
    });

    it("refuses an access token of the app client, an IdToken of another client and one of another pool, before any identity-pool call", async () => {
        const handler = readFileCallbackFactory();
        const tokens = {
            access: idToken(signing, "alice", { claims: { token_use: "access", aud: undefined, client_id: CLIENT_ID, scope: "aws.cognito.signin.user.admin" } }),
            otherClient: idToken(signing, "alice", { claims: { aud: "anotherclient0123456789ab" } }),
            otherPool: idToken(signing, "alice", { claims: { iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_OtherPool` } }),
        };
        for (const [kind, token] of Object.entries(tokens)) {
            const response = await handler(event(token));
            assert.strictEqual(response.statusCode, 401, kind);
            assert.strictEqual(JSON.parse(response.body).error, "invalid_token", kind);
        }
        assert.deepStrictEqual(
            fake.calls.filter((call) => call !== "jwks"),
            [],
            "no identity-pool or S3 call for a refused token",
        );
    });
});

describe("the read-file function's bundled packages", () => {
    /** Packages imported for their code (not `import type`) by a module and the project modules it imports. */
    function importedPackages(entry: string): Set<string> {
        const packages = new Set<string>();
        const seen = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) return;
            seen.add(file);
            const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
            for (const statement of source.statements) {
                if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
                const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
                if (specifier.startsWith(".")) {
                    visit(`${path.resolve(path.dirname(file), specifier)}.ts`);
                } else if (!isBuiltin(specifier)) {
                    packages.add(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"));
                }
            }
        };
        visit(entry);
        return packages;
    }

    it("names in READ_FILE_PACKAGES every package its code imports, besides the AWS SDK the runtime provides", () => {
        const imported = [...importedPackages(path.join(__dirname, "..", "lambdas", "readFileFunction.ts"))].filter((pkg) => !pkg.startsWith("@aws-sdk/"));
        assert.ok(imported.includes("aws-jwt-verify") && imported.includes("@smithy/signature-v4"), `the scan finds the imports: ${imported.join(", ")}`);
        assert.deepStrictEqual(
            imported.filter((pkg) => !READ_FILE_PACKAGES.includes(pkg)),
            [],
            "a package the bundle would not carry",
        );
    });
});
