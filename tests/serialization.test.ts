/**
 * The read-file function as it is deployed: the archive a HandlerFunction's CallbackFunction
 * assembles (captured from its own calls, on the mock engine), laid out in a folder outside the
 * project and run in a fresh Node process that cannot reach the project's node_modules, with
 * AWS answered on loopback.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { HandlerFunction, handlerCode, HandlerCode } from "../components/api/handlerFunction";
import { READ_FILE_PACKAGES, readFileCallbackFactory } from "../lambdas/readFileFunction";
import { ROOT, runProgram } from "./harness";
import { FakeAws, identityIdFor, startFakeAws } from "./support/fakeAws";
import { archiveFiles, callbackFunctionArchive, invokeInFreshProcess, layOut } from "./support/freshProcess";
import { CLIENT_ID, idToken, makeSigningKey, REGION } from "./support/tokens";

const BUCKET = "user-files-serialized";
const PREFIX = "cognito-test";

const event = (token?: string) => ({ headers: token ? { idtoken: token } : {}, requestContext: { requestId: "r" } });

describe("read-file function as deployed (bundled, fresh process)", () => {
    const key = makeSigningKey("serialized-key");
    let fake: FakeAws;
    let code: HandlerCode;
    let files: Map<string, Buffer>;
    let dir: string;

    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [key.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
        await runProgram("deve"); // installs the mocks the function registers against
        const args = { callbackFactory: readFileCallbackFactory, bundledPackages: READ_FILE_PACKAGES, description: "read-file, as index.ts builds it" };
        files = await callbackFunctionArchive(() => new HandlerFunction("serialized-read-file", args), ROOT);
        code = handlerCode(args.callbackFactory, { bundledPackages: args.bundledPackages });
        dir = layOut(files, "read-file-archive-");
    });
    beforeEach(() => fake.calls.splice(0));
    after(async () => {
        await fake.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const invokeFresh = (events: object[]) => invokeInFreshProcess({ archiveDir: dir, fake, bucket: BUCKET, prefix: PREFIX, events });

    it("is a loader and one bundle: no package folder, no Pulumi code", () => {
        assert.ok(code.bundle, "an exported factory is bundled");
        assert.deepStrictEqual([...files.keys()].sort(), ["__index.js", code.bundle.file]);
        const index = files.get("__index.js")!.toString();
        assert.deepStrictEqual(index.match(/require\([^)]*\)/g), ["require(request)"]);
        assert.ok(index.includes(JSON.stringify(`./${code.bundle.file}`)), "the loader names the bundle's archive path");
        const bundle = files.get(code.bundle.file)!.toString();
        assert.ok(!/@pulumi\//.test(bundle) && !code.bundle.packages.some((p) => p.startsWith("@pulumi/")), "no Pulumi code may reach the function");
        assert.ok(code.bundle.packages.includes("aws-jwt-verify") && code.bundle.packages.includes("@smithy/signature-v4"));
        assert.ok(!code.bundle.packages.includes("@aws-sdk/client-s3"), "S3 is read with signed GETs, not the S3 client");
    });

    it("is the archive that handlerCode and CallbackFunction's steps give (as the benchmark builds them)", async () => {
        assert.deepStrictEqual(await archiveFiles(code, ROOT), files);
    });

    it("cannot reach the project's packages from where it runs", () => {
        assert.throws(() => require.resolve("aws-jwt-verify", { paths: [dir] }), /Cannot find module/);
        assert.ok(path.relative(ROOT, dir).startsWith(`..${path.sep}`), "the archive lies outside the project");
    });

    it("serves a first and a warm request: own file with own credentials, others refused", async () => {
        fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`, "hello alice");
        const alice = idToken(key, "alice");
        const { responses } = await invokeFresh([event(alice), event(alice), event("garbage"), event(idToken(key, "bob"))]);

        assert.deepStrictEqual(
            responses.map((r) => r.statusCode),
            [200, 200, 401, 404],
        );
        assert.deepStrictEqual(JSON.parse(responses[0].body), { status: "success", data: "hello alice" });
        assert.deepStrictEqual(fake.calls, [
            "jwks",
            "GetId",
            "GetCredentialsForIdentity",
            `GetObject ${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`,
            `GetObject ${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`,
            "GetId",
            "GetCredentialsForIdentity",
            `GetObject ${PREFIX}/${identityIdFor(REGION, "bob")}/data.txt`,
        ]);
    });

    it("answers a request without a token with no network call at all (nothing is fetched at start)", async () => {
        const { responses } = await invokeFresh([event()]);
        assert.strictEqual(responses[0].statusCode, 401);
        assert.strictEqual(JSON.parse(responses[0].body).error, "missing_token");
        assert.deepStrictEqual(fake.calls, []);
    });

    it("refuses an access token of the app client and an IdToken of another client before any identity-pool call", async () => {
        const accessToken = idToken(key, "alice", { claims: { token_use: "access", aud: undefined, client_id: CLIENT_ID, scope: "aws.cognito.signin.user.admin" } });
        const otherClient = idToken(key, "alice", { claims: { aud: "anotherclient0123456789ab" } });
        const { responses } = await invokeFresh([event(accessToken), event(otherClient)]);

        assert.deepStrictEqual(
            responses.map((r) => [r.statusCode, JSON.parse(r.body).error]),
            [
                [401, "invalid_token"],
                [401, "invalid_token"],
            ],
        );
        assert.deepStrictEqual(fake.calls, ["jwks"], "only the keys are fetched: no GetId, no credentials");
    });
});

describe("read-file bundle with the runtime's AWS SDK", () => {
    const key = makeSigningKey("runtime-sdk-key");
    let fake: FakeAws;
    let dir: string;
    let runtime: string;

    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [key.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
        dir = layOut(await archiveFiles(handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES, sdk: "runtime" }), ROOT));
        // The runtime's SDK, reachable only through NODE_PATH as in Lambda (its own dependencies resolve from where the link points).
        runtime = layOut(new Map(), "runtime-sdk-");
        fs.symlinkSync(path.join(ROOT, "node_modules", "@aws-sdk"), path.join(runtime, "@aws-sdk"));
    });
    after(async () => {
        await fake.close();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(runtime, { recursive: true, force: true });
    });

    it("leaves the SDK out and serves with the runtime's copy", async () => {
        fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "carol")}/data.txt`, "hello carol");
        const { responses } = await invokeInFreshProcess({ archiveDir: dir, fake, bucket: BUCKET, prefix: PREFIX, events: [event(idToken(key, "carol"))], nodePath: runtime });
        assert.strictEqual(responses[0].statusCode, 200);
        assert.deepStrictEqual(JSON.parse(responses[0].body).data, "hello carol");
    });
});
