/**
 * How HandlerFunction packages a handler (`handlerCode`): one esbuild bundle per exported
 * factory and a loader callback, the guards on what a bundle may contain, and the archives of
 * the API's other handlers run in a fresh process. The read-file function's behaviour as
 * deployed is in serialization.test.ts.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { handlerCode } from "../components/api/handlerFunction";
import { adminCallbackFactory, whoamiCallbackFactory } from "../lambdas/apiFunctions";
import { READ_FILE_PACKAGES, readFileCallbackFactory } from "../lambdas/readFileFunction";
import { ROOT } from "./harness";
import { FakeAws, startFakeAws } from "./support/fakeAws";
import { archiveFiles, invokeInFreshProcess, layOut } from "./support/freshProcess";
import { REGION } from "./support/tokens";

const ACCOUNT = "111122223333";
const iamEvent = (userArn: string) => ({
    requestContext: { requestId: "r", authorizer: { iam: { accountId: ACCOUNT, userArn, callerId: "AROAEXAMPLE:session" } } },
});

describe("handler bundles", () => {
    let fake: FakeAws;
    const dirs: string[] = [];
    before(async () => {
        fake = await startFakeAws({ jwks: { keys: [] }, region: REGION, bucket: "unused", prefix: "unused" });
    });
    after(async () => {
        await fake.close();
        for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    const run = async (factory: () => unknown, events: object[], env: Record<string, string> = {}) => {
        const dir = layOut(await archiveFiles(handlerCode(factory as never), ROOT));
        dirs.push(dir);
        return (await invokeInFreshProcess({ archiveDir: dir, fake, bucket: "unused", prefix: "unused", events, env })).responses;
    };

    it("deploys the whoami and admin functions as a loader and one bundle each, serving from a fresh process", async () => {
        for (const factory of [whoamiCallbackFactory, adminCallbackFactory]) {
            const code = handlerCode(factory);
            assert.ok(code.bundle);
            assert.deepStrictEqual([...(await archiveFiles(code, ROOT)).keys()].sort(), ["__index.js", code.bundle.file]);
            assert.deepStrictEqual(code.bundle.packages, [], "these handlers use no package");
        }
        const caller = `arn:aws:sts::${ACCOUNT}:assumed-role/ApiAllowByIamRoleDeve/session`;
        const whoami = await run(whoamiCallbackFactory, [iamEvent(caller), { requestContext: { requestId: "r" } }]);
        assert.deepStrictEqual(
            whoami.map((r) => r.statusCode),
            [200, 403],
        );
        assert.strictEqual(JSON.parse(whoami[0].body).userArn, caller);

        const admin = await run(adminCallbackFactory, [iamEvent(`arn:aws:sts::${ACCOUNT}:assumed-role/admins/s`), iamEvent(caller)], {
            ACCOUNT_ID: ACCOUNT,
            ADMIN_ROLE_NAME: "admins",
        });
        assert.deepStrictEqual(
            admin.map((r) => r.statusCode),
            [200, 403],
        );
    });

    it("serializes an inline closure that no module exports as it stands, with no packages", async () => {
        const inline = () => async () => ({ statusCode: 204, body: "" });
        const code = handlerCode(inline);
        assert.strictEqual(code.bundle, undefined);
        assert.strictEqual(code.callbackFactory, inline);
        assert.deepStrictEqual([...(await archiveFiles(code, ROOT)).keys()], ["__index.js"]);
        assert.strictEqual((await run(inline, [{}]))[0].statusCode, 204);
    });

    it("names each bundle by its content and writes it once", () => {
        const first = handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES });
        const second = handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES });
        assert.strictEqual(first.bundle?.file, second.bundle?.file);
        const contents = fs.readFileSync(path.join(ROOT, first.bundle!.file));
        assert.strictEqual(contents.length, first.bundle!.bytes);
        assert.ok(first.bundle!.file.includes(createHash("sha256").update(contents).digest("hex").slice(0, 16)));
        // read-file imports no SDK package: leaving the SDK to the runtime builds the same bytes, under the same name.
        assert.strictEqual(handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES, sdk: "runtime" }).bundle?.file, first.bundle?.file);
    });

    describe("ships the bytes it built, whatever already sits at the bundle's path", () => {
        // bin/ is ignored by git, but `git add -f`, a stale workspace or anyone with access can
        // leave a file at the very path a build names: it must not ship in the bundle's place.
        const digestOf = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
        const assertShipsBuilt = async (code: ReturnType<typeof handlerCode>) => {
            const { file, bytes } = code.bundle!;
            const shipped = (await archiveFiles(code, ROOT)).get(file);
            assert.ok(shipped, `${file} is in the archive`);
            assert.strictEqual(shipped.length, bytes, "the archive's bundle has the built length");
            assert.ok(file.includes(`.${digestOf(shipped)}.js`), "the archive's bundle has the digest its name gives, that of the built bytes");
            return shipped;
        };
        const fixtures = path.join(ROOT, "bin", "test-fixtures");

        it("replaces a file holding other bytes, of another length or the same, and serves as built", async () => {
            const { file } = handlerCode(whoamiCallbackFactory).bundle!;
            const absolute = path.join(ROOT, file);
            const built = fs.readFileSync(absolute);
            const sameLength = Buffer.from(built);
            sameLength[sameLength.length - 2] ^= 1;
            const tampered = [Buffer.from('exports.handler = async () => ({ statusCode: 418, body: "tampered" });\n'), sameLength];
            for (const bytes of tampered) {
                fs.writeFileSync(absolute, bytes);
                const code = handlerCode(whoamiCallbackFactory);
                assert.strictEqual(code.bundle!.file, file, "the same build, reused from memory");
                assert.ok((await assertShipsBuilt(code)).equals(built));
                assert.ok(fs.readFileSync(absolute).equals(built), "the file on disk is the built bundle again");
            }
            fs.writeFileSync(absolute, tampered[0]);
            const caller = `arn:aws:sts::${ACCOUNT}:assumed-role/ApiAllowByIamRoleDeve/session`;
            assert.deepStrictEqual(
                (await run(whoamiCallbackFactory, [iamEvent(caller)])).map((r) => r.statusCode),
                [200],
            );
            const partials = fs.readdirSync(path.dirname(absolute)).filter((name) => name.endsWith(".partial"));
            assert.deepStrictEqual(partials, [], "no temporary file is left behind");
        });

        it("replaces a link, even to the same bytes, and leaves what it points to untouched", async () => {
            const { file } = handlerCode(adminCallbackFactory).bundle!;
            const absolute = path.join(ROOT, file);
            const built = fs.readFileSync(absolute);
            fs.mkdirSync(fixtures, { recursive: true });
            const elsewhere = path.join(fixtures, `elsewhere-${process.pid}.js`);
            try {
                for (const bytes of [Buffer.from("exports.handler = async () => ({ statusCode: 418 });\n"), built]) {
                    fs.writeFileSync(elsewhere, bytes);
                    fs.rmSync(absolute);
                    fs.symlinkSync(elsewhere, absolute);
                    const code = handlerCode(adminCallbackFactory);
                    assert.ok((await assertShipsBuilt(code)).equals(built));
                    assert.ok(fs.lstatSync(absolute).isFile(), "a regular file, not a link, is at the bundle's path");
                    assert.ok(fs.readFileSync(elsewhere).equals(bytes), "the link's target was not written through");
                }
            } finally {
                fs.rmSync(elsewhere, { force: true });
            }
        });

        it("finds nothing under bin/ tracked by git, where it could pass for build output", function () {
            const listed = spawnSync("git", ["ls-files", "-z", "--", "bin"], { cwd: ROOT, encoding: "utf8" });
            if (listed.error || listed.status !== 0) {
                this.skip(); // no git, or not a repository: there is nothing tracked to find
            }
            const tracked = listed.stdout.split("\0").filter(Boolean);
            assert.deepStrictEqual(tracked, [], `bin/ is build output, which git ignores; untrack what was force-added: git rm --cached -- ${tracked.join(" ")}`);
        });
    });

    it("bundles again when a source file changes, even for a factory loaded before", () => {
        const fixture = path.join(ROOT, "bin", "test-fixtures", `changing-handler-${process.pid}.ts`);
        const write = (answer: number) => {
            fs.mkdirSync(path.dirname(fixture), { recursive: true });
            fs.writeFileSync(fixture, `export function answers() {\n    return async () => ({ statusCode: ${answer}, body: "" });\n}\n`);
        };
        try {
            write(200);
            const { answers } = require(fixture) as { answers: () => () => Promise<unknown> };
            const before = handlerCode(answers).bundle!;
            write(201);
            const after = handlerCode(answers).bundle!;
            assert.notStrictEqual(after.file, before.file);
            assert.match(fs.readFileSync(path.join(ROOT, after.file), "utf8"), /statusCode:201/);
        } finally {
            fs.rmSync(fixture, { force: true });
        }
    });

    it("bundles a factory whose module was dropped from require.cache, as a reloaded program leaves it", () => {
        const fixture = path.join(ROOT, "bin", "test-fixtures", `dropped-handler-${process.pid}.ts`);
        fs.mkdirSync(path.dirname(fixture), { recursive: true });
        fs.writeFileSync(fixture, "export function dropped() {\n    return async () => ({ statusCode: 200, body: \"\" });\n}\n");
        try {
            const { dropped } = require(fixture) as { dropped: () => () => Promise<unknown> };
            delete require.cache[fixture];
            assert.ok(handlerCode(dropped).bundle, "found as the child of the module that loaded it");
        } finally {
            fs.rmSync(fixture, { force: true });
        }
    });

    it("carries no AWS SDK client, only the SDK's own signer, hash and HTTP/1.1 transport, for read-file", () => {
        const { packages, file } = handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES }).bundle!;
        // S3 and Cognito Identity are called with plain requests: the clients' code was most of the cold start.
        assert.deepStrictEqual(
            packages.filter((pkg) => pkg.startsWith("@aws-sdk/")),
            [],
        );
        for (const pkg of ["@smithy/signature-v4", "@smithy/node-http-handler", "@smithy/core", "aws-jwt-verify"]) {
            assert.ok(packages.includes(pkg), `${pkg}: ${packages.join(", ")}`);
        }
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        assert.ok(!text.includes("http2"), "the transport's HTTP/2 handler is left out");
        for (const unused of ["PutObjectCommand", "GetObjectCommand", "GetIdCommand", "ListIdentityPoolsCommand"]) {
            assert.ok(!text.includes(unused), `${unused}: no SDK command belongs in the bundle`);
        }
    });

    it("leaves every @aws-sdk package out when the SDK comes from the runtime", () => {
        const { packages } = handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES, sdk: "runtime" }).bundle!;
        assert.ok(packages.includes("aws-jwt-verify") && packages.includes("@smithy/signature-v4"), packages.join(", "));
        assert.deepStrictEqual(
            packages.filter((pkg) => pkg.startsWith("@aws-sdk/")),
            [],
        );
    });

    describe("refuses", () => {
        it("to run from a folder the bundle is not inside, where the archive could not name it", () => {
            const cwd = process.cwd();
            process.chdir(path.join(ROOT, "lambdas"));
            try {
                assert.throws(
                    () => handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES }),
                    /HandlerFunction: run the program from its project folder .*: archives name files relative to it/,
                );
            } finally {
                process.chdir(cwd);
            }
        });

        it("a bundled package that is not a dependency", () => {
            assert.throws(() => handlerCode(readFileCallbackFactory, { bundledPackages: ["left-pad"] }), /bundledPackages: 'left-pad' is not in package.json dependencies/);
        });

        it("a handler importing a package not named in bundledPackages", () => {
            assert.throws(
                () => handlerCode(readFileCallbackFactory, { bundledPackages: READ_FILE_PACKAGES.filter((pkg) => pkg !== "aws-jwt-verify") }),
                /readFileCallbackFactory \(lambdas\/readFileFunction.ts\) imports 'aws-jwt-verify', which is not in bundledPackages/,
            );
        });

        it("a handler importing a package that is not a dependency (a devDependency is not installed at deploy time)", () => {
            assert.throws(
                () => {
                    const others = READ_FILE_PACKAGES.filter((pkg) => pkg !== "@smithy/signature-v4");
                    return handlerCode(readFileCallbackFactory, { bundledPackages: others, dependencies: others });
                },
                /imports '@smithy\/signature-v4', which is not in package.json dependencies/,
            );
        });

        describe("a handler that would bundle Pulumi code", () => {
            const fixture = path.join(ROOT, "bin", "test-fixtures", `pulumi-handler-${process.pid}.ts`);
            before(() => {
                fs.mkdirSync(path.dirname(fixture), { recursive: true });
                fs.writeFileSync(
                    fixture,
                    'import * as pulumi from "@pulumi/pulumi";\nexport function usesPulumi() {\n    return async () => ({ statusCode: 200, body: pulumi.getStack() });\n}\n',
                );
            });
            after(() => fs.rmSync(fixture, { force: true }));

            it("is refused by name", () => {
                const { usesPulumi } = require(fixture) as { usesPulumi: () => () => Promise<unknown> };
                assert.throws(() => handlerCode(usesPulumi, { dependencies: ["@pulumi/pulumi"] }), /usesPulumi .* would bundle Pulumi code \(@pulumi\/pulumi\); a handler must not import @pulumi\/\*/);
            });
        });
    });
});
