/**
 * The inline callback survives serialization: it is serialized exactly as CallbackFunction
 * does it, loaded in a fresh Node process and invoked, with AWS answered on loopback.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { archiveOnly } from "../components/handlerFunction";
import { readFileCallbackFactory } from "../lambdas/readFileFunction";
import { ROOT } from "./harness";
import { FakeAws, identityIdFor, startFakeAws } from "./support/fakeAws";
import { invokeInFreshProcess, serializeHandler } from "./support/freshProcess";
import { idToken, makeSigningKey, REGION } from "./support/tokens";

const BUCKET = "user-files-serialized";
const PREFIX = "cognito-test";


describe("read-file callback serialization", () => {
    const key = makeSigningKey("serialized-key");
    let fake: FakeAws;
    let dir: string;

    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [key.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "read-file-archive-"));
        fs.writeFileSync(path.join(dir, "__index.js"), await serializeHandler(readFileCallbackFactory));
    });
    after(async () => {
        await fake.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const invokeFresh = (events: object[], nodePath = path.join(ROOT, "node_modules"), archiveDir = dir) =>
        invokeInFreshProcess({ archiveDir, fake, bucket: BUCKET, prefix: PREFIX, events, nodePath });

    it("is plain JavaScript that names its packages instead of inlining them", async () => {
        const text = fs.readFileSync(path.join(dir, "__index.js"), "utf8");
        assert.match(text, /require\("aws-jwt-verify"\)/);
        assert.match(text, /require\("@aws-sdk\/client-s3(\/dist-cjs\/index.js)?"\)/);
        assert.ok(!text.includes("@pulumi/"), "no Pulumi code may reach the function");
    });

    it("serves a first and a warm request in a fresh process: own file with own credentials, others refused", async () => {
        fake.objects.set(`${PREFIX}/${identityIdFor(REGION, "alice")}/data.txt`, "hello alice");
        const event = (token?: string) => ({ headers: token ? { idtoken: token } : {}, requestContext: { requestId: "r" } });
        const { responses } = await invokeFresh([
            event(idToken(key, "alice")),
            event(idToken(key, "alice")),
            event(),
            event("garbage"),
            event(idToken(key, "bob")),
        ]);

        assert.deepStrictEqual(
            responses.map((r) => r.statusCode),
            [200, 200, 401, 401, 404],
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

    it("ships only aws-jwt-verify from node_modules; the AWS SDK comes from the runtime", async () => {
        const paths = await pulumi.runtime.computeCodePaths(archiveOnly(["aws-jwt-verify"]));
        assert.deepStrictEqual([...paths.keys()].sort(), [
            "node_modules/aws-jwt-verify/LICENSE",
            "node_modules/aws-jwt-verify/dist/cjs",
            "node_modules/aws-jwt-verify/package.json",
        ]);
    });

    it("runs from the trimmed archive alone: aws-jwt-verify from the archive, the AWS SDK from the runtime", async () => {
        // Lay the archive out as Lambda would, with the SDK reachable only as the runtime provides it.
        const archive = fs.mkdtempSync(path.join(os.tmpdir(), "read-file-trimmed-"));
        try {
            fs.copyFileSync(path.join(dir, "__index.js"), path.join(archive, "__index.js"));
            for (const [archivePath] of await pulumi.runtime.computeCodePaths(archiveOnly(["aws-jwt-verify"]))) {
                fs.cpSync(path.join(ROOT, archivePath), path.join(archive, archivePath), { recursive: true });
            }
            const runtime = fs.mkdtempSync(path.join(os.tmpdir(), "runtime-sdk-"));
            // The runtime's SDK (its own dependencies resolve from where the link points).
            fs.symlinkSync(path.join(ROOT, "node_modules", "@aws-sdk"), path.join(runtime, "@aws-sdk"));
            const { responses } = await invokeFresh([{ headers: {}, requestContext: { requestId: "r" } }], runtime, archive);
            assert.strictEqual(responses[0].statusCode, 401);
            fs.rmSync(runtime, { recursive: true, force: true });
        } finally {
            fs.rmSync(archive, { recursive: true, force: true });
        }
    });

    it("refuses to bundle a package that is not a dependency or that the runtime provides", () => {
        assert.throws(() => archiveOnly(["left-pad"]), /'left-pad' is not in package.json dependencies/);
        assert.throws(() => archiveOnly(["@aws-sdk/client-s3"]), /provided by the nodejs22.x runtime/);
    });
});
