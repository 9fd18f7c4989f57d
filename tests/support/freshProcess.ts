/**
 * Runs a handler archive laid out on disk (`__index.js` and whatever else it carries) in a
 * fresh Node process, as Lambda would: configured by environment variables, its AWS calls and
 * the JWKS fetch answered by the loopback fake AWS.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
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

/** What `CallbackFunction` is given to build an archive from. */
export interface CallbackCode {
    readonly callbackFactory: () => unknown;
    readonly codePathOptions?: pulumi.runtime.CodePathOptions;
}

type CodePaths = Map<string, pulumi.asset.Asset | pulumi.asset.Archive>;

/** The archive's files: `__index.js` and, read from disk, every path of `computeCodePaths`. */
async function filesOf(indexJs: string, paths: CodePaths, root: string): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>([["__index.js", Buffer.from(indexJs)]]);
    const walk = (archivePath: string, diskPath: string) => {
        if (fs.statSync(diskPath).isDirectory()) {
            for (const entry of fs.readdirSync(diskPath)) {
                walk(`${archivePath}/${entry}`, path.join(diskPath, entry));
            }
        } else {
            files.set(archivePath, fs.readFileSync(diskPath));
        }
    };
    for (const [archivePath, asset] of paths) {
        walk(archivePath, path.resolve(root, await (asset as pulumi.asset.FileAsset).path));
    }
    return files;
}

/**
 * The files of the archive `aws.lambda.CallbackFunction` builds from `code`, by its own steps:
 * the serialized factory as `__index.js`, then `computeCodePaths` of the code path options
 * with `aws-sdk` excluded, as CallbackFunction adds.
 */
export async function archiveFiles(code: CallbackCode, root: string): Promise<Map<string, Buffer>> {
    const options = code.codePathOptions ?? {};
    const paths = await pulumi.runtime.computeCodePaths({
        ...options,
        extraExcludePackages: [...(options.extraExcludePackages ?? []), "aws-sdk"],
    });
    return filesOf(await serializeHandler(code.callbackFactory), paths, root);
}

/**
 * The files of the archive that the one `aws.lambda.CallbackFunction` created by `construct`
 * assembles, taken from the two calls it makes: `serializeFunction` (its `__index.js`) and
 * `computeCodePaths` (everything else). Needs the mock engine in place.
 */
export async function callbackFunctionArchive(construct: () => void, root: string): Promise<Map<string, Buffer>> {
    const runtime = pulumi.runtime as { serializeFunction: typeof pulumi.runtime.serializeFunction; computeCodePaths: typeof pulumi.runtime.computeCodePaths };
    const { serializeFunction, computeCodePaths } = runtime;
    const closures: ReturnType<typeof serializeFunction>[] = [];
    let computed!: (paths: Promise<CodePaths>) => void;
    const paths = new Promise<Promise<CodePaths>>((resolve) => (computed = resolve));
    runtime.serializeFunction = (...args) => {
        closures.push(serializeFunction(...args));
        return closures[closures.length - 1];
    };
    // CallbackFunction computes its code paths once the serialization has settled.
    runtime.computeCodePaths = ((...args: Parameters<typeof computeCodePaths>) => {
        const result = computeCodePaths(...args);
        computed(result);
        return result;
    }) as typeof computeCodePaths;
    try {
        construct();
        if (closures.length !== 1) {
            throw new Error(`expected one serialized function, got ${closures.length}`);
        }
        return await filesOf((await closures[0]).text, await (await paths), root);
    } finally {
        runtime.serializeFunction = serializeFunction;
        runtime.computeCodePaths = computeCodePaths;
    }
}

/** Writes archive files into a new folder outside the project, so no project node_modules is in reach. */
export function layOut(files: Map<string, Buffer | string>, prefix = "handler-archive-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const [name, content] of files) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

export interface FreshInvocation {
    /** Folder holding `__index.js` and the rest of the archive. */
    readonly archiveDir: string;
    readonly fake: FakeAws;
    readonly bucket: string;
    readonly prefix: string;
    readonly events: object[];
    /** Where packages the archive lacks come from (the runtime's AWS SDK). @default none */
    readonly nodePath?: string;
    /** After the events, repeats the last one for this long and counts the responses. @default 0 */
    readonly warmSeconds?: number;
    /** More environment variables for the function. @default {} */
    readonly env?: Record<string, string>;
}

export interface FreshResult {
    readonly responses: { statusCode: number; body: string }[];
    /** Spawn to exit, in ms. */
    readonly wallMs: number;
    /** Time `require` of `__index.js` took, in ms. */
    readonly loadMs: number;
    /** Time each event took, in ms. */
    readonly timings: number[];
    /** Requests per second of the warm run, when asked for. */
    readonly warmRate?: number;
    /** CPU time of the function's process per warm request, in ms, when asked for. */
    readonly warmCpuMs?: number;
}

/**
 * The environment of every process whose start is timed: `PATH` and the variables given, none
 * other of this process's. Inherited ones change what starting Node costs, so a baseline that
 * inherited them would not be comparable: `NODE_EXTRA_CA_CERTS` makes Node read and parse a
 * certificate file before it runs anything (a CA bundle of about 220 KB cost each start about 40 ms on the
 * build machine), and `NODE_OPTIONS` can preload modules.
 */
export function freshProcessEnv(variables: Record<string, string> = {}): Record<string, string> {
    return { ...(process.env.PATH === undefined ? {} : { PATH: process.env.PATH }), ...variables };
}

/** Spawn to exit of a bare `node -e <script>`, in the environment a handler's process gets, in ms; and what it printed. */
export async function bareNode(script = "0"): Promise<{ wallMs: number; stdout: string }> {
    const started = process.hrtime.bigint();
    const { stdout } = await run(process.execPath, ["-e", script], { env: freshProcessEnv() });
    return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, stdout };
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
            String(invocation.warmSeconds ?? 0),
        ],
        {
            cwd: invocation.archiveDir,
            env: freshProcessEnv({
                // Node also looks for packages under $HOME: point it at the archive.
                HOME: invocation.archiveDir,
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
                ...invocation.env,
            }),
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    // The handler logs to stdout too: the result is the last line.
    const result = JSON.parse(stdout.trim().split("\n").pop() as string) as Omit<FreshResult, "wallMs">;
    return { ...result, wallMs };
}
