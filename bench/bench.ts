/**
 * `npm run bench [-- --runs N --seconds S --tests]` (`--help` explains the flags)
 *
 * Measures, in one run and against the baselines named:
 *  - archive size of each handler under each packaging;
 *  - AWS calls per GET /read-file: first and warm requests, vs the original per-request flow;
 *  - cold start of the read-file function: its archive, built by CallbackFunction's steps, laid
 *    out in a fresh folder; a new Node process loads it and serves the first request (AWS
 *    answered on loopback). Median, min and max of N runs per packaging, against a bare
 *    `node -e 0`; then warm requests per second and CPU time per request in that process;
 *  - warm throughput in one process, the handler vs the original flow;
 *  - with --tests, the wall time of `npm test`.
 * Figures are printed, never asserted: machines are noisy.
 */
// This machine runs Node 20; the functions run on nodejs22.x. The SDK's notice about Node 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { ZipFile } from "yazl";

import { handlerCode, HandlerFunctionArgs } from "../components/api/handlerFunction";
import { adminCallbackFactory, whoamiCallbackFactory } from "../lambdas/apiFunctions";
import { createCognitoIdentitySender } from "../lambdas/cognitoIdentity";
import { createReadFileHandler } from "../lambdas/readFile";
import { READ_FILE_PACKAGES, readFileCallbackFactory } from "../lambdas/readFileFunction";
import { createS3Reader } from "../lambdas/s3Reader";
import { FakeAws, identityIdFor, startFakeAws } from "../tests/support/fakeAws";
import { archiveFiles, bareNode, CallbackCode, invokeInFreshProcess, layOut } from "../tests/support/freshProcess";
import { CLIENT_ID, idToken, makeSigningKey, PROVIDER_NAME, REGION, USER_POOL_ID } from "../tests/support/tokens";
import { parseBenchArgs } from "./args";
import { createArticleFlowHandler } from "./articleFlow";

/** The project root, where package.json and node_modules are. */
const ROOT = path.resolve(__dirname, "..");
const BUCKET = "bench-user-files";
const PREFIX = "cognito-test";
const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;
/** Warm runs per packaging, interleaved: one run is at the mercy of whatever else the machine does. */
const WARM_ROUNDS = 3;

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function projectDependencies(): string[] {
    return Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: object }).dependencies);
}

type Factory = HandlerFunctionArgs["callbackFactory"];

/**
 * The files of the CommonJS builds of `packages` and of what they depend on, but the AWS SDK:
 * each package's manifest, licence, CommonJS folder and top-level entry files.
 */
function cjsFiles(packages: readonly string[]): string[] {
    const files: string[] = [];
    const seen = new Set<string>();
    const add = (pkg: string) => {
        const dir = path.join(ROOT, "node_modules", pkg);
        if (seen.has(pkg) || pkg.startsWith("@aws-sdk/") || !fs.existsSync(dir)) return;
        seen.add(pkg);
        for (const entry of fs.readdirSync(dir)) {
            if (["package.json", "LICENSE", "dist-cjs"].includes(entry) || entry.endsWith(".js")) files.push(`node_modules/${pkg}/${entry}`);
        }
        if (fs.existsSync(path.join(dir, "dist", "cjs"))) files.push(`node_modules/${pkg}/dist/cjs`);
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
        for (const dependency of Object.keys(manifest.dependencies ?? {})) add(dependency);
    };
    for (const pkg of packages) add(pkg);
    return files;
}

/**
 * The packagings compared. `sdk` says where the AWS SDK comes from: the archive, or the
 * runtime (here: a folder on NODE_PATH that links to the project's copy, as Lambda's runtime
 * provides its own outside the archive).
 */
interface Packaging {
    readonly name: string;
    readonly sdk: "archive" | "runtime";
    code(factory: Factory, packages: string[]): CallbackCode;
}

const PACKAGINGS: Packaging[] = [
    {
        name: "bundle, SDK bundled (deployed)",
        sdk: "archive",
        code: (factory, packages) => handlerCode(factory, { bundledPackages: packages, sdk: "bundled" }),
    },
    {
        name: "bundle, SDK from the runtime",
        sdk: "runtime",
        code: (factory, packages) => handlerCode(factory, { bundledPackages: packages, sdk: "runtime" }),
    },
    {
        // The packaging before bundles: the closure serializer carries the handler's code; the archive
        // adds the CommonJS build of each package and of the packages it depends on, the SDK's aside.
        name: "serialized closure + CJS packages",
        sdk: "runtime",
        code: (factory, packages) => ({
            callbackFactory: factory,
            codePathOptions: {
                extraIncludePaths: cjsFiles(packages),
                extraExcludePackages: projectDependencies(),
            },
        }),
    },
    {
        // What CallbackFunction does with no codePathOptions: every dependency, the SDK included.
        name: "CallbackFunction default",
        sdk: "archive",
        code: (factory) => ({ callbackFactory: factory }),
    },
];

function zipSize(files: Map<string, string | Buffer>): Promise<number> {
    return new Promise((resolve, reject) => {
        const zip = new ZipFile();
        for (const [name, content] of files) zip.addBuffer(Buffer.from(content), name, { mtime: new Date(0), mode: 0o644 });
        zip.end();
        let size = 0;
        zip.outputStream.on("data", (chunk: Buffer) => (size += chunk.length));
        zip.outputStream.on("end", () => resolve(size));
        zip.outputStream.on("error", reject);
    });
}

async function throughput(handler: (event: object) => Promise<{ statusCode: number }>, event: object, seconds: number) {
    for (let i = 0; i < 20; i++) await handler(event); // warm up
    let count = 0;
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
        const response = await handler(event);
        if (response.statusCode !== 200) throw new Error(`throughput run got ${response.statusCode}`);
        count++;
    }
    return count / seconds;
}

/** The real Cognito verifier, fetching its JWKS over HTTP from the loopback fake (which counts it). */
function verifierFetchingFrom(fake: FakeAws) {
    const jwksCache = new SimpleJwksCache({
        fetcher: { fetch: async () => (await fetch(`${fake.url}/${USER_POOL_ID}/.well-known/jwks.json`)).arrayBuffer() },
    });
    return CognitoJwtVerifier.create({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, tokenUse: "id" }, { jwksCache });
}

type Print = (line?: string) => void;

/** Zipped size of each handler under each packaging; the read-file archives are kept for the cold starts. */
async function archiveSizes(print: Print) {
    const handlers: [string, Factory, string[]][] = [
        ["read-file", readFileCallbackFactory, READ_FILE_PACKAGES],
        ["whoami", whoamiCallbackFactory, []],
        ["admin", adminCallbackFactory, []],
    ];
    const readFileArchives = new Map<Packaging, Map<string, Buffer>>();
    const sizes = new Map<Packaging, number>();
    print("");
    print(`Archive size (zip)        ${handlers.map(([name]) => name.padStart(12)).join("")}`);
    for (const packaging of PACKAGINGS) {
        const cells: string[] = [];
        for (const [name, factory, packages] of handlers) {
            const files = await archiveFiles(packaging.code(factory, packages), ROOT);
            const size = await zipSize(files);
            cells.push(kb(size).padStart(12));
            if (name === "read-file") {
                readFileArchives.set(packaging, files);
                sizes.set(packaging, size);
            }
        }
        print(`  ${packaging.name.padEnd(33)}${cells.join("")}`);
    }
    return { readFileArchives, sizes };
}

type Handler = (e: object) => Promise<{ statusCode: number }>;

/** The loopback AWS, three users with a file each, and the two read paths compared: this project's handler and the original flow. */
async function benchWorld() {
    const key = makeSigningKey("bench-key");
    const fake = await startFakeAws({ jwks: { keys: [key.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
    const users = Array.from({ length: 3 }, (_, i) => `bench-user-${i}`);
    for (const user of users) fake.objects.set(`${PREFIX}/${identityIdFor(REGION, user)}/data.txt`, `data of ${user}`);
    const tokens = new Map(users.map((user) => [user, idToken(key, user, { claims: { "cognito:username": user } })]));
    const event = (user: string) => ({ headers: { idtoken: tokens.get(user) }, requestContext: { requestId: "bench" } });
    const ours = createReadFileHandler(
        { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX },
        {
            verifier: verifierFetchingFrom(fake),
            identity: createCognitoIdentitySender({ region: REGION, endpoint: fake.url }),
            s3For: (credentials) => createS3Reader({ region: REGION, endpoint: fake.url, credentials }),
            log: () => undefined,
        },
    );
    const article = createArticleFlowHandler(
        { region: REGION, userPoolId: USER_POOL_ID, identityPoolId: IDENTITY_POOL_ID, bucket: BUCKET, prefix: PREFIX },
        { idp: fake.url, identity: fake.url, s3: fake.url },
        { accessKeyId: "AKIAEXECUTIONROLE", secretAccessKey: "execution-role-secret" },
    );
    const renewed = { headers: { idtoken: idToken(key, users[0], { claims: { iat: Math.floor(Date.now() / 1000) - 60 } }) }, requestContext: { requestId: "bench" } };
    const handlers: { ours: Handler; article: Handler } = { ours, article };
    return { fake, users, event, ...handlers, renewed };
}
type BenchWorld = Awaited<ReturnType<typeof benchWorld>>;

async function callsPerRequest(world: BenchWorld, print: Print) {
    const { fake, ours, article, event, users } = world;
    const callsFor = async (handler: Handler, e: object) => {
        const before = fake.calls.length;
        await handler(e);
        return fake.calls.slice(before).map((c) => c.split(" ")[0]);
    };
    print("");
    print("AWS calls per GET /read-file");
    print(`  ours, first request of a container      ${(await callsFor(ours, event(users[0]))).join(", ")}`);
    print(`  ours, the same token again (warm)       ${(await callsFor(ours, event(users[0]))).join(", ")}`);
    print(`  ours, a new token of that user (warm)   ${(await callsFor(ours, world.renewed)).join(", ")}`);
    print(`  ours, a new user (warm container)       ${(await callsFor(ours, event(users[1]))).join(", ")}`);
    print(`  original flow, every request            ${(await callsFor(article, event(users[0]))).join(", ")}`);
}

type ColdFigures = { wall: number[]; load: number[]; first: number[] };
/**
 * Baselines of the cold starts, each in the environment the function's process gets: bare Node;
 * Node loading the built-ins any function that checks a token and calls AWS over HTTPS needs;
 * and the same harness process with a handler that does nothing.
 */
type Baseline = "bare" | "builtins" | "harness";
const BASELINES: Baseline[] = ["bare", "builtins", "harness"];
const BUILTINS_SCRIPT = "require('http'); require('https'); require('crypto')";
/**
 * An archive whose handler answers at once: a process started by the same harness (its loopback
 * JWKS preload loads `http` and `https`) costs this
 * much before the function's own code does anything.
 */
const EMPTY_HANDLER = new Map([["__index.js", "exports.handler = async () => ({ statusCode: 200, body: '' });\n"]]);
type WarmFigures = { rate: number[]; cpu: number[] };

/** Cold starts (interleaved with bare Node, so a slow spell of the machine spreads over every variant), then warm rounds. */
async function measureProcesses(world: BenchWorld, archives: Map<Packaging, Map<string, Buffer>>, options: { runs: number; seconds: number }) {
    const runtimeSdk = layOut(new Map(), "bench-runtime-sdk-");
    fs.symlinkSync(path.join(ROOT, "node_modules", "@aws-sdk"), path.join(runtimeSdk, "@aws-sdk"));
    const dirs = new Map<Packaging | "harness", string>([...archives].map(([packaging, files]) => [packaging, layOut(files, "bench-archive-")]));
    dirs.set("harness", layOut(EMPTY_HANDLER, "bench-empty-"));
    const invoke = (packaging: Packaging | "harness", warmSeconds = 0) =>
        invokeInFreshProcess({
            archiveDir: dirs.get(packaging)!,
            fake: world.fake,
            bucket: BUCKET,
            prefix: PREFIX,
            events: [world.event(world.users[2])],
            nodePath: packaging !== "harness" && packaging.sdk === "runtime" ? runtimeSdk : undefined,
            warmSeconds,
        });
    const cold = new Map<Packaging | Baseline, ColdFigures>(
        [...PACKAGINGS, ...BASELINES].map((variant) => [variant, { wall: [], load: [], first: [] }]),
    );
    try {
        for (let i = 0; i < options.runs; i++) {
            cold.get("bare")!.wall.push((await bareNode()).wallMs);
            cold.get("builtins")!.wall.push((await bareNode(BUILTINS_SCRIPT)).wallMs);
            cold.get("harness")!.wall.push((await invoke("harness")).wallMs);
            for (const packaging of PACKAGINGS) {
                const result = await invoke(packaging);
                if (result.responses[0].statusCode !== 200) throw new Error(`cold start (${packaging.name}) answered ${result.responses[0].statusCode}`);
                const figures = cold.get(packaging)!;
                figures.wall.push(result.wallMs);
                figures.load.push(result.loadMs);
                figures.first.push(result.timings[0]);
            }
        }
        const warm = new Map<Packaging, WarmFigures>(PACKAGINGS.map((packaging) => [packaging, { rate: [], cpu: [] }]));
        for (let round = 0; round < WARM_ROUNDS; round++) {
            for (const packaging of PACKAGINGS) {
                const result = await invoke(packaging, options.seconds);
                warm.get(packaging)!.rate.push(result.warmRate!);
                warm.get(packaging)!.cpu.push(result.warmCpuMs!);
            }
        }
        return { cold, warm };
    } finally {
        for (const dir of [...dirs.values(), runtimeSdk]) fs.rmSync(dir, { recursive: true, force: true });
    }
}

function printProcesses(print: Print, figures: Awaited<ReturnType<typeof measureProcesses>>, sizes: Map<Packaging, number>, options: { runs: number; seconds: number }) {
    const { cold, warm } = figures;
    const bare = median(cold.get("bare")!.wall);
    print("");
    print(`Cold start of read-file: new Node process, load the archive, serve the first request (${options.runs} runs; ms)`);
    const row = (name: string, cells: string[]) => `  ${name.padEnd(35)}${cells.map((c, i) => c.padStart(i === 8 ? 11 : 9)).join("")}`;
    print(row("", ["median", "min", "max", "x bare", "load", "1st req", "warm/s", "CPU/req", "zip"]));
    const baselineNames: Record<Baseline, string> = { bare: "bare node -e 0", builtins: "node loading http, https, crypto", harness: "harness, a handler doing nothing" };
    for (const variant of [...PACKAGINGS, ...BASELINES]) {
        const { wall, load, first } = cold.get(variant)!;
        const name = typeof variant === "string" ? baselineNames[variant] : variant.name;
        const cells = [median(wall).toFixed(0), Math.min(...wall).toFixed(0), Math.max(...wall).toFixed(0), (median(wall) / bare).toFixed(2)];
        if (typeof variant !== "string") {
            const { rate, cpu } = warm.get(variant)!;
            cells.push(median(load).toFixed(1), median(first).toFixed(1), median(rate).toFixed(0), median(cpu).toFixed(2), kb(sizes.get(variant)!));
        }
        print(row(name, cells));
    }
    print("  load: require of __index.js; 1st req: the first request, its four round trips to the loopback AWS included;");
    print("  harness: the same process with an archive whose handler answers at once (the part of each row that is not the function's)");
    const added = median(cold.get(PACKAGINGS[0])!.wall) - median(cold.get("harness")!.wall);
    print(`  ${PACKAGINGS[0].name}: ${added.toFixed(0)} ms more than the harness`);
    print("  every process runs with PATH and the function's variables only: inherited ones (NODE_EXTRA_CA_CERTS, NODE_OPTIONS) change what a start costs");
    print(`  warm/s, CPU/req: then the same request again for ${options.seconds} s, median of ${WARM_ROUNDS} processes (req/s; CPU ms per request)`);
}

async function throughputInProcess(world: BenchWorld, print: Print, seconds: number) {
    const oursRate = await throughput(world.ours, world.event(world.users[0]), seconds);
    const articleRate = await throughput(world.article, world.event(world.users[0]), seconds);
    print("");
    print("Warm throughput in this process (handler from source, AWS answered on loopback)");
    print(`  ours                     ${oursRate.toFixed(0)} requests/s`);
    print(`  original flow            ${articleRate.toFixed(0)} requests/s`);
    print(`  ratio                    ${(oursRate / articleRate).toFixed(1)}x`);
}

async function main(): Promise<number> {
    const parsed = parseBenchArgs(process.argv.slice(2));
    if ("exit" in parsed) {
        (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.text.endsWith("\n") ? parsed.text : `${parsed.text}\n`);
        return parsed.exit;
    }
    const options = parsed.options;
    const print: Print = (line = "") => process.stdout.write(`${line}\n`);
    print(`bench: node ${process.version}, ${os.cpus().length} cores, ${options.runs} cold starts per variant, ${options.seconds} s per throughput run`);

    const { readFileArchives, sizes } = await archiveSizes(print);
    const world = await benchWorld();
    try {
        await callsPerRequest(world, print);
        printProcesses(print, await measureProcesses(world, readFileArchives, options), sizes, options);
        await throughputInProcess(world, print, options.seconds);
    } finally {
        await world.fake.close();
    }

    if (options.tests) {
        const started = Date.now();
        const result = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, stdio: "ignore" });
        print("");
        print(`npm test: ${((Date.now() - started) / 1000).toFixed(1)} s wall (exit ${result.status})`);
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
        process.exit(1);
    },
);
