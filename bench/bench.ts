/**
 * `npm run bench [-- --runs N --seconds S --tests]`
 *
 * Measures, in one run and against the baselines named:
 *  - archive size of each handler: ours (only the packages it loads; the AWS SDK from the
 *    runtime) vs CallbackFunction's default packaging (every dependency);
 *  - AWS calls per GET /read-file: first and warm requests, vs the original per-request flow;
 *  - cold start: lay the archive out in a fresh folder, start Node, load the serialized handler
 *    and serve the first request (AWS answered on loopback), median of N, ours vs default;
 *  - warm throughput in one process, ours vs the original flow;
 *  - with --tests, the wall time of `npm test`.
 * Figures are printed, never asserted: machines are noisy.
 */
// This machine runs Node 20; the functions run on nodejs22.x. The SDK's notice about Node 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { ZipFile } from "yazl";

import { archiveOnly } from "../components/handlerFunction";
import { adminCallbackFactory, whoamiCallbackFactory } from "../lambdas/apiFunctions";
import { createReadFileHandler } from "../lambdas/readFile";
import { readFileCallbackFactory } from "../lambdas/readFileFunction";
import { FakeAws, identityIdFor, startFakeAws } from "../tests/support/fakeAws";
import { invokeInFreshProcess, serializeHandler } from "../tests/support/freshProcess";
import { CLIENT_ID, idToken, makeSigningKey, PROVIDER_NAME, REGION, USER_POOL_ID } from "../tests/support/tokens";
import { ROOT } from "../tools/mockRun";
import { createArticleFlowHandler } from "./articleFlow";

const run = promisify(execFile);
const BUCKET = "bench-user-files";
const PREFIX = "cognito-test";
const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;

interface Options {
    runs: number;
    seconds: number;
    tests: boolean;
}

function parseArgs(argv: string[]): Options {
    const options: Options = { runs: 15, seconds: 3, tests: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--runs") options.runs = Number(argv[++i]);
        else if (flag === "--seconds") options.seconds = Number(argv[++i]);
        else if (flag === "--tests") options.tests = true;
        else throw new Error(`unknown argument '${flag}' (use --runs N, --seconds S, --tests)`);
    }
    if (!(options.runs >= 1) || !(options.seconds > 0)) throw new Error("--runs and --seconds must be positive");
    return options;
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Files of an archive: the serialized handler plus the package folders of `computeCodePaths`. */
async function archiveFiles(indexJs: string, codePathOptions: pulumi.runtime.CodePathOptions): Promise<Map<string, string | Buffer>> {
    const files = new Map<string, string | Buffer>([["__index.js", indexJs]]);
    const paths = await pulumi.runtime.computeCodePaths(codePathOptions);
    const walk = (archivePath: string, diskPath: string) => {
        const stat = fs.statSync(diskPath);
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(diskPath)) walk(`${archivePath}/${entry}`, path.join(diskPath, entry));
        } else {
            files.set(archivePath, fs.readFileSync(diskPath));
        }
    };
    for (const [archivePath, asset] of paths) {
        const diskPath = (asset as { path?: Promise<string> | string }).path;
        walk(archivePath, path.resolve(ROOT, await diskPath!));
    }
    return files;
}

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

function layOut(files: Map<string, string | Buffer>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-archive-"));
    for (const [name, content] of files) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

/** One cold start: a fresh Node process loads the handler and serves one request. */
async function coldStart(dir: string, fake: FakeAws, event: object, runtimeSdk: boolean): Promise<{ wallMs: number; status: number }> {
    const { wallMs, responses } = await invokeInFreshProcess({
        archiveDir: dir,
        fake,
        bucket: BUCKET,
        prefix: PREFIX,
        events: [event],
        // Ours: the AWS SDK comes from the runtime (here: the project's copy, as /var/runtime would).
        nodePath: runtimeSdk ? path.join(ROOT, "node_modules") : undefined,
    });
    return { wallMs, status: responses[0].statusCode };
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

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const lines: string[] = [];
    const print = (line = "") => {
        lines.push(line);
        process.stdout.write(`${line}\n`);
    };
    print(`bench: node ${process.version}, ${os.cpus().length} cores, ${options.runs} cold starts each, ${options.seconds} s per throughput run`);

    // --- Archive size -------------------------------------------------------------------
    const defaultPackaging = { extraExcludePackages: ["aws-sdk"] }; // what CallbackFunction adds on its own
    const handlers: [string, () => unknown, string[]][] = [
        ["read-file", readFileCallbackFactory, ["aws-jwt-verify"]],
        ["whoami", whoamiCallbackFactory, []],
        ["admin", adminCallbackFactory, []],
    ];
    print("");
    print("Archive size (zip)           ours        default     smaller by");
    const readFileArchives: { ours?: Map<string, string | Buffer>; default?: Map<string, string | Buffer> } = {};
    for (const [name, factory, bundled] of handlers) {
        const indexJs = await serializeHandler(factory);
        const ours = await archiveFiles(indexJs, archiveOnly(bundled));
        const all = await archiveFiles(indexJs, defaultPackaging);
        const [oursSize, allSize] = [await zipSize(ours), await zipSize(all)];
        print(`  ${name.padEnd(26)} ${kb(oursSize).padStart(10)}  ${kb(allSize).padStart(10)}     ${(allSize / oursSize).toFixed(0)}x`);
        if (name === "read-file") {
            readFileArchives.ours = ours;
            readFileArchives.default = all;
        }
    }

    // --- AWS calls per request ------------------------------------------------------------
    const key = makeSigningKey("bench-key");
    const fake = await startFakeAws({ jwks: { keys: [key.jwk] }, region: REGION, bucket: BUCKET, prefix: PREFIX });
    const users = Array.from({ length: 3 }, (_, i) => `bench-user-${i}`);
    for (const user of users) fake.objects.set(`${PREFIX}/${identityIdFor(REGION, user)}/data.txt`, `data of ${user}`);
    const event = (user: string) => ({ headers: { idtoken: idToken(key, user, { claims: { "cognito:username": user } }) }, requestContext: { requestId: "bench" } });

    const verifier = verifierFetchingFrom(fake);
    const ours = createReadFileHandler(
        { identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, bucket: BUCKET, prefix: PREFIX },
        {
            verifier,
            identity: new CognitoIdentityClient({ region: REGION, endpoint: fake.url }),
            s3For: (credentials) => new S3Client({ region: REGION, endpoint: fake.url, forcePathStyle: true, credentials }),
            log: () => undefined,
        },
    );
    const article = createArticleFlowHandler(
        { region: REGION, userPoolId: USER_POOL_ID, identityPoolId: IDENTITY_POOL_ID, bucket: BUCKET, prefix: PREFIX },
        { idp: fake.url, identity: fake.url, s3: fake.url },
        { accessKeyId: "AKIAEXECUTIONROLE", secretAccessKey: "execution-role-secret" },
    );
    const callsFor = async (handler: (e: object) => Promise<unknown>, user: string) => {
        const before = fake.calls.length;
        await handler(event(user));
        return fake.calls.slice(before).map((c) => c.split(" ")[0]);
    };
    print("");
    print("AWS calls per GET /read-file");
    print(`  ours, first request of a container   ${(await callsFor(ours, users[0])).join(", ")}`);
    print(`  ours, the same user again (warm)     ${(await callsFor(ours, users[0])).join(", ")}`);
    print(`  ours, a new user (warm container)    ${(await callsFor(ours, users[1])).join(", ")}`);
    print(`  original flow, every request         ${(await callsFor(article, users[0])).join(", ")}`);

    // --- Cold start -------------------------------------------------------------------------
    const oursDir = layOut(readFileArchives.ours!);
    const defaultDir = layOut(readFileArchives.default!);
    const cold = { ours: [] as number[], default: [] as number[] };
    for (let i = 0; i < options.runs; i++) {
        for (const variant of ["ours", "default"] as const) {
            const result = await coldStart(variant === "ours" ? oursDir : defaultDir, fake, event(users[2]), variant === "ours");
            if (result.status !== 200) throw new Error(`cold start (${variant}) answered ${result.status}`);
            cold[variant].push(result.wallMs);
        }
    }
    const bare: number[] = [];
    for (let i = 0; i < options.runs; i++) {
        const started = process.hrtime.bigint();
        await run(process.execPath, ["-e", "0"]);
        bare.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    fs.rmSync(oursDir, { recursive: true, force: true });
    fs.rmSync(defaultDir, { recursive: true, force: true });
    print("");
    print("Cold start: new Node process, load the handler, serve the first request (median)");
    print(`  ours                     ${median(cold.ours).toFixed(0)} ms   (min ${Math.min(...cold.ours).toFixed(0)}, max ${Math.max(...cold.ours).toFixed(0)})`);
    print(`  default packaging        ${median(cold.default).toFixed(0)} ms   (min ${Math.min(...cold.default).toFixed(0)}, max ${Math.max(...cold.default).toFixed(0)})`);
    print(`  ratio default / ours     ${(median(cold.default) / median(cold.ours)).toFixed(2)}`);
    print(`  (reference: a bare 'node -e 0' takes ${median(bare).toFixed(0)} ms here; Lambda also unpacks the archive first, 36 KB vs 3.5 MB)`);

    // --- Throughput ---------------------------------------------------------------------------
    const oursRate = await throughput(ours, event(users[0]), options.seconds);
    const articleRate = await throughput(article, event(users[0]), options.seconds);
    print("");
    print("Warm throughput in one process (AWS answered on loopback)");
    print(`  ours                     ${oursRate.toFixed(0)} requests/s`);
    print(`  original flow            ${articleRate.toFixed(0)} requests/s`);
    print(`  ratio                    ${(oursRate / articleRate).toFixed(1)}x`);
    await fake.close();

    // --- Test suite ---------------------------------------------------------------------------
    if (options.tests) {
        const started = Date.now();
        const result = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, stdio: "ignore" });
        print("");
        print(`npm test: ${((Date.now() - started) / 1000).toFixed(1)} s wall (exit ${result.status})`);
    }
}

/** The real Cognito verifier, fetching its JWKS over HTTP from the loopback fake (which counts it). */
function verifierFetchingFrom(fake: FakeAws) {
    const jwksCache = new SimpleJwksCache({
        fetcher: { fetch: async () => (await fetch(`${fake.url}/${USER_POOL_ID}/.well-known/jwks.json`)).arrayBuffer() },
    });
    return CognitoJwtVerifier.create({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, tokenUse: "id" }, { jwksCache });
}

main().catch((error) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
});
