/**
 * Runs a serialized read-file handler (`__index.js` of an archive laid out on disk) in a
 * fresh Node process, as Lambda would: configured by environment variables, its AWS calls
 * and the JWKS fetch answered by the loopback fake AWS.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

import * as pulumi from "@pulumi/pulumi";

import { FakeAws } from "./fakeAws";
import { CLIENT_ID, REGION, USER_POOL_ID } from "./tokens";

const run = promisify(execFile);

/** Serializes a `callbackFactory` exactly as aws.lambda.CallbackFunction does; returns `__index.js`. */
export async function serializeHandler(factory: () => unknown): Promise<string> {
    const closure = await pulumi.runtime.serializeFunction(factory as () => never, {
        serialize: () => true,
        exportName: "handler",
        isFactoryFunction: true,
        allowSecrets: true,
    });
    return closure.text;
}

export interface FreshInvocation {
    /** Folder holding `__index.js` (and, for a full archive, its node_modules). */
    readonly archiveDir: string;
    readonly fake: FakeAws;
    readonly bucket: string;
    readonly prefix: string;
    readonly events: object[];
    /** Where packages the archive lacks come from (the runtime's AWS SDK). @default none */
    readonly nodePath?: string;
}

export interface FreshResult {
    readonly responses: { statusCode: number; body: string }[];
    /** Spawn to exit, in ms. */
    readonly wallMs: number;
}

export async function invokeInFreshProcess(invocation: FreshInvocation): Promise<FreshResult> {
    const { fake } = invocation;
    const started = process.hrtime.bigint();
    const { stdout } = await run(
        process.execPath,
        [
            "--require",
            path.join(__dirname, "loopbackJwks.js"),
            path.join(__dirname, "invokeSerialized.js"),
            path.join(invocation.archiveDir, "__index.js"),
            JSON.stringify(invocation.events),
        ],
        {
            cwd: invocation.archiveDir,
            env: {
                PATH: process.env.PATH,
                ...(invocation.nodePath ? { NODE_PATH: invocation.nodePath } : {}),
                FAKE_AWS_PORT: String(fake.port),
                AWS_REGION: REGION,
                AWS_ACCESS_KEY_ID: "AKIAEXECUTIONROLE",
                AWS_SECRET_ACCESS_KEY: "execution-role-secret",
                AWS_ENDPOINT_URL_COGNITO_IDENTITY: fake.url,
                AWS_ENDPOINT_URL_S3: fake.url,
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
                USER_POOL_ID,
                USER_POOL_CLIENT_ID: CLIENT_ID,
                IDENTITY_POOL_ID: `${REGION}:00000000-1111-4222-8333-444444444444`,
                USER_FILES_BUCKET: invocation.bucket,
                USER_FILES_PREFIX: invocation.prefix,
            },
        },
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    // The handler logs to stdout too: the result is the last line.
    const result = JSON.parse(stdout.trim().split("\n").pop() as string) as { responses: FreshResult["responses"] };
    return { responses: result.responses, wallMs };
}
