/**
 * `npm run smoke` as a command: help, usage errors, set-up problems stopped before any check
 * with one line, and a process that exits once its report is out.
 */
import * as assert from "assert";
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { parseCli, readOutputs, runCli, smokeOptions } from "../smoke/cli";
import { ROOT } from "./harness";
import { startStallingServer } from "./support/sigv4Server";

const OUTPUTS = {
    stage: "deve",
    region: "ap-northeast-1",
    userPoolId: "ap-northeast-1_Pool",
    userPoolClientId: "client",
    userPoolProviderName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Pool",
    identityPoolId: "ap-northeast-1:pool",
    userFilesBucket: "federated-access-deve-user-files",
    userFilesPrefix: "cognito-test",
    apiEndpoint: "https://api.example.invalid",
    stageAccessRoleArn: "arn:aws:iam::111122223333:role/ApiAllowByIamRoleDeve",
    oidcRoleArn: "arn:aws:iam::111122223333:role/federated-access-deve-oidc",
    smokeUsersFunctionName: "federated-access-deve-smoke-users",
};

/** STS's answer to the operator check, as the query protocol has it. */
const CALLER_IDENTITY = {
    status: 200,
    contentType: "text/xml",
    body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/federated-access-deve-ci-smoke/ci</Arn><UserId>AROA:ci</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
};

interface Ran {
    code: number | null;
    stdout: string;
    stderr: string;
    ms: number;
}

/** The CLI in a child process, with only the environment given (no AWS settings of this machine). */
function cli(args: string[], env: NodeJS.ProcessEnv, killAfterMs = 20_000): Promise<Ran> {
    const started = Date.now();
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "smoke", "cli.ts"), ...args],
            { cwd: ROOT, env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env }, timeout: killAfterMs },
            (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, ms: Date.now() - started }),
        );
    });
}

/** The CLI in this process (for what needs no process of its own: parsing, files, PATH). */
async function inProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
    const started = Date.now();
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, env, {
        stdout: { write: (text: string, done: () => void) => ((stdout += text), done()) },
        stderr: { write: (text: string) => (stderr += text), isTTY: false },
    });
    return { code, stdout, stderr, ms: Date.now() - started };
}

const oneLine = (ran: Ran, code: number, line: RegExp) => {
    assert.strictEqual(ran.code, code, ran.stderr);
    assert.strictEqual(ran.stdout, "");
    assert.strictEqual(ran.stderr.trimEnd().split("\n").length, 1, ran.stderr);
    assert.match(ran.stderr, line);
};

const HELP_HINT = "run 'npm run smoke -- --help' for usage";

/** A usage error: exit 2, nothing on stdout, what is wrong on one line and the hint on the next. */
const usageError = (ran: Ran, line: RegExp, hint = HELP_HINT) => {
    assert.strictEqual(ran.code, 2, ran.stderr);
    assert.strictEqual(ran.stdout, "");
    const [wrong, shown, ...more] = ran.stderr.trimEnd().split("\n");
    assert.match(wrong, line);
    assert.strictEqual(shown, hint);
    assert.deepStrictEqual(more, [], ran.stderr);
};

describe("smoke CLI", () => {
    let dir: string;
    let noAws: NodeJS.ProcessEnv;
    let outputsFile: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-cli-"));
        outputsFile = path.join(dir, "outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify(OUTPUTS));
        noAws = {
            PATH: process.env.PATH,
            HOME: dir,
            AWS_CONFIG_FILE: path.join(dir, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
        };
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("as a process: --help prints usage with examples and exits 0; a bad flag exits 2 naming it, with a hint line and no stack", async () => {
        const [help, badFlag] = await Promise.all([cli(["--help"], noAws), cli(["--stack", "deve", "--frobnicate"], noAws)]);
        assert.strictEqual(help.code, 0);
        assert.match(help.stdout, /^usage: npm run smoke -- --stack <stage> \[options\]/);
        assert.match(help.stdout, /examples:\n {2}npm run smoke -- --stack deve\n/);
        assert.strictEqual(help.stderr, "");
        usageError(badFlag, /^smoke: Unknown option '--frobnicate'$/);
    });

    it("stops set-up problems before any check with one line naming the file or tool and the fix", async () => {
        const malformed = path.join(dir, "malformed.json");
        fs.writeFileSync(malformed, "{ not json");
        const emptyPath = path.join(dir, "empty-bin");
        fs.mkdirSync(emptyPath, { recursive: true });
        assert.strictEqual((await inProcess(["-h"], noAws)).code, 0);
        const secret = await inProcess(["--stack", "deve", "--external-id", "s3cr3t"], noAws);
        usageError(secret, /^smoke: --external-id would put a secret on the command line: set SMOKE_EXTERNAL_ID or use --external-id-file/);
        assert.ok(!secret.stderr.includes("s3cr3t"));
        const missing = await inProcess(["--stack", "deve", "--outputs", path.join(dir, "missing.json")], noAws);
        oneLine(missing, 2, /^smoke: cannot read outputs file '.*missing\.json' \(ENOENT\): write it with `pulumi stack output --json --stack deve > .*missing\.json`$/m);
        oneLine(await inProcess(["--stack", "deve", "--outputs", malformed], noAws), 2, /^smoke: outputs file '.*malformed\.json' is not JSON \(/);
        oneLine(
            await inProcess(["--stack", "deve"], { ...noAws, PATH: emptyPath }),
            2,
            /^smoke: the Pulumi CLI is not installed \(no `pulumi` on PATH\): install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\) or pass --outputs FILE$/m,
        );
        oneLine(await inProcess(["--stack", "stag", "--outputs", outputsFile], noAws), 2, /^smoke: the outputs are of stage 'deve', not 'stag'$/m);
        const required = path.join(dir, "external-id-required.json");
        fs.writeFileSync(required, JSON.stringify({ ...OUTPUTS, callerExternalIdRequired: true }));
        oneLine(
            await inProcess(["--stack", "deve", "--outputs", required, "--caller-profile", "caller"], noAws),
            2,
            /^smoke: stage deve requires an ExternalId of its caller: set SMOKE_EXTERNAL_ID or use --external-id-file$/m,
        );
        oneLine(
            await inProcess(["--stack", "deve", "--outputs", outputsFile, "--external-id-file", path.join(dir, "none")], noAws),
            2,
            /^smoke: cannot read the ExternalId file '.*none' \(ENOENT\)$/m,
        );
    });

    it("stops before any check, with one line, when there are no AWS credentials", async () => {
        const ran = await cli(["--stack", "deve", "--outputs", outputsFile], noAws);
        assert.strictEqual(ran.code, 2, ran.stderr);
        assert.strictEqual(ran.stdout, "");
        assert.strictEqual(ran.stderr.trimEnd().split("\n").length, 1, ran.stderr);
        assert.match(ran.stderr, /^smoke: no AWS credentials for the operator \(default provider chain: .*\): sign in \(aws sso login, AWS_PROFILE\) or, in CI, assume the stage's smoke role first$/m);
    });

    describe("with --json, a run stopped before any check still prints a JSON report", () => {
        /** Exit 2, stderr as without --json (one line; a usage error's hint on a second), and the report on stdout saying the same. */
        const failedReport = (ran: Ran, kind: string, stage: string | null, message: RegExp) => {
            assert.strictEqual(ran.code, 2, ran.stderr);
            assert.strictEqual(ran.stderr.trimEnd().split("\n").length, kind === "usage" ? 2 : 1, ran.stderr);
            const report = JSON.parse(ran.stdout);
            assert.deepStrictEqual(Object.keys(report), ["stage", "ok", "exitCode", "error", "checks"]);
            assert.strictEqual(report.ok, false);
            assert.strictEqual(report.exitCode, 2);
            assert.strictEqual(report.stage, stage);
            assert.deepStrictEqual(report.checks, []);
            assert.strictEqual(report.error.kind, kind);
            assert.match(report.error.message, message);
            assert.strictEqual(report.error.hint, kind === "usage" ? HELP_HINT : undefined);
            assert.strictEqual(ran.stderr.trimEnd(), `smoke: ${report.error.message}${report.error.hint ? `\n${report.error.hint}` : ""}`, "stderr and the report say the same");
        };

        it("for a command-line mistake, whether or not the rest parsed", async () => {
            failedReport(await inProcess(["--stack", "deve", "--json", "--frobnicate"], noAws), "usage", null, /^Unknown option '--frobnicate'$/);
            failedReport(await inProcess(["--json", "--stack", "deve-x"], noAws), "usage", null, /^'deve-x' cannot be a stage: 2-8 lowercase letters and digits/);
            failedReport(await inProcess(["--json"], noAws), "usage", null, /^--stack is required/);
            failedReport(await inProcess(["--stack", "deve", "--json", "--timeout", "0"], noAws), "usage", null, /^--timeout must be a number of seconds above 0/);
            const secret = await inProcess(["--json", "--stack", "deve", "--external-id", "s3cr3t"], noAws);
            failedReport(secret, "usage", null, /secret on the command line/);
            assert.ok(!secret.stdout.includes("s3cr3t"), "the secret is not in the report");
        });

        it("for a set-up problem, naming the stage", async () => {
            failedReport(await inProcess(["--stack", "deve", "--json", "--outputs", path.join(dir, "missing.json")], noAws), "setup", "deve", /^cannot read outputs file '.*missing\.json' \(ENOENT\)/);
            failedReport(await inProcess(["--stack", "stag", "--json", "--outputs", outputsFile], noAws), "setup", "stag", /^the outputs are of stage 'deve', not 'stag'$/);
        });

        it("as a process, without AWS credentials", async () => {
            failedReport(await cli(["--stack", "deve", "--outputs", outputsFile, "--json"], noAws), "setup", "deve", /^no AWS credentials for the operator/);
        });

        it("and nothing on stdout without --json (a --json after -- is an argument, not the flag)", async () => {
            const plain = await inProcess(["--stack", "deve", "--outputs", path.join(dir, "missing.json")], noAws);
            assert.strictEqual(plain.code, 2);
            assert.strictEqual(plain.stdout, "");
            const positional = await inProcess(["--stack", "deve", "--", "--json"], noAws);
            usageError(positional, /^smoke: Unexpected argument '--json'/);
        });
    });

    it("npm run smoke --stack deve (no --): npm takes --stack and passes 'deve' alone, and the hint gives the command meant", async () => {
        const meant = "did you mean: npm run smoke -- --stack deve ? (npm needs '--' before the tool's options)";
        // What npm passes: the option as its own configuration (npm_config_stack), the value as an argument.
        usageError(await inProcess(["deve"], { ...noAws, npm_config_stack: "true" }), /^smoke: Unexpected argument 'deve'$/, meant);
        // Without npm's word for it, a bare stage name is still taken for what it is.
        usageError(await inProcess(["deve"], noAws), /^smoke: Unexpected argument 'deve'$/, meant);
        // --stack=deve: npm keeps the value, and the tool gets the rest of its options only.
        usageError(
            await inProcess(["--require-caller"], { ...noAws, npm_config_stack: "deve" }),
            /^smoke: --stack is required$/,
            "did you mean: npm run smoke -- --require-caller --stack deve ? (npm needs '--' before the tool's options)",
        );
        // A command line with a secret on it is never echoed back.
        const secret = await inProcess(["deve", "--external-id=s3cr3t"], { ...noAws, npm_config_stack: "true" });
        usageError(secret, /secret on the command line/);
        assert.ok(!secret.stderr.includes("s3cr3t"));
    });

    it("prints its report and exits at the end of its time, though every AWS endpoint stalls", async function () {
        this.timeout(90_000);
        // STS answers the operator check; everything else is taken and never answered.
        const server = await startStallingServer((_req, body) => (body.includes("Action=GetCallerIdentity") ? CALLER_IDENTITY : undefined));
        try {
            const stalled = path.join(dir, "stalled.json");
            fs.writeFileSync(stalled, JSON.stringify({ ...OUTPUTS, apiEndpoint: server.url }));
            const env = { ...noAws, AWS_ENDPOINT_URL: server.url, AWS_ACCESS_KEY_ID: "AKIAOPERATOR", AWS_SECRET_ACCESS_KEY: "secret" };
            // A step limit of 1 s: the fake STS answers at once, but a busy machine may take longer than a few hundred ms.
            // Every endpoint but STS stalls for ever: only the run's own deadline can end it. The harness
            // kills it after 60 s, far beyond start-up + the two seconds + cleanup, so a busy machine
            // does not fail the test, and a run that ignored its deadline still would.
            const ran = await cli(["--stack", "deve", "--outputs", stalled, "--json", "--timeout", "2", "--step-timeout", "1", "--settle-timeout", "1.5"], env, 60_000);
            assert.notStrictEqual(ran.code, null, `killed after ${ran.ms} ms: the run did not end at its deadline`);
            assert.strictEqual(ran.code, 1, ran.stderr);
            const report = JSON.parse(ran.stdout);
            assert.strictEqual(report.ok, false);
            assert.strictEqual(report.operator, "arn:aws:sts::111122223333:assumed-role/federated-access-deve-ci-smoke/ci");
            assert.match(report.checks[0].detail, /timed out after 1000 ms|interrupted/);
            assert.match(ran.stderr, /Smoke checks of stage deve \(run .*\): FAILED/, "the table goes to stderr with --json");
            assert.ok(server.requests.some((r) => r.startsWith("GET /federated-access-deve-user-files")), `S3 reached the stalled endpoint: ${server.requests.join(", ")}`);
        } finally {
            await server.close();
        }
    });

    it("after Ctrl-C stops, cleans up, prints its report and exits 130", async () => {
        const server = await startStallingServer((_req, body) => (body.includes("Action=GetCallerIdentity") ? CALLER_IDENTITY : undefined));
        try {
            const stalled = path.join(dir, "stalled-interrupted.json");
            fs.writeFileSync(stalled, JSON.stringify({ ...OUTPUTS, apiEndpoint: server.url }));
            const env = { ...noAws, AWS_ENDPOINT_URL: server.url, AWS_ACCESS_KEY_ID: "AKIAOPERATOR", AWS_SECRET_ACCESS_KEY: "secret", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "smoke", "cli.ts"), "--stack", "deve", "--outputs", stalled, "--step-timeout", "0.3", "--settle-timeout", "30"], {
                cwd: ROOT,
                env,
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            // Once the run is under way: the operator check answered, S3 taken and not answered.
            while (!server.requests.some((r) => r.startsWith("GET /federated-access-deve-user-files"))) await new Promise((resolve) => setTimeout(resolve, 50));
            const sent = Date.now();
            child.kill("SIGINT");
            const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
            assert.strictEqual(code, 130, stderr);
            assert.ok(Date.now() - sent < 3000, `exited ${Date.now() - sent} ms after Ctrl-C`);
            assert.match(stderr, /^smoke: SIGINT: stopping, cleaning up what this run created \(again to exit at once\)$/m);
            assert.match(stdout, /Smoke checks of stage deve .*: FAILED/);
            assert.match(stdout, /interrupted/);
        } finally {
            await server.close();
        }
    });

    describe("arguments", () => {
        it("takes callers, --require-caller and time limits", () => {
            const options = parseCli(
                ["--stack", "prod", "--caller-profile", "caller-prod", "--other-caller-role-arn", "arn:aws:iam::210987654321:role/LambdaRoleDeve", "--require-caller", "--timeout", "90", "--step-timeout", "5"],
                { AWS_PROFILE: "ops" },
            );
            assert.deepStrictEqual(options.caller, { kind: "profile", profile: "caller-prod" });
            assert.deepStrictEqual(options.otherCaller, {
                kind: "assume-role",
                roleArn: "arn:aws:iam::210987654321:role/LambdaRoleDeve",
                sessionName: "smoke-other-caller",
                base: { kind: "profile", profile: "ops" },
            });
            const run = smokeOptions(options, { outputs: { ...OUTPUTS, stage: "prod" }, signal: new AbortController().signal, progress: () => undefined });
            assert.strictEqual(run.requireCaller, true);
            assert.deepStrictEqual(run.timing, { attemptTimeoutMs: 5000, settleBudgetMs: 60_000 });
            assert.strictEqual(run.cleanupTimeoutMs, 90_000, "cleanup gets as long as the checks, up to two minutes");
            assert.strictEqual(smokeOptions(parseCli(["--stack", "deve", "--timeout", "600"], {}), { ...run, signal: run.signal!, progress: () => undefined }).cleanupTimeoutMs, 120_000);
            assert.strictEqual(parseCli(["--stack", "deve", "--timeout", "3"], {}).stepTimeoutMs, 3000, "a short run shortens the default step");
        });

        it("refuses what cannot work, naming it", () => {
            const refused: [string[], RegExp][] = [
                [[], /--stack is required/],
                [["--stack", "deve-x"], /'deve-x' cannot be a stage: 2-8 lowercase letters and digits, e.g. deve, stag, prod/],
                [["--stack", "deve", "--require-caller"], /--require-caller needs --caller-profile or --caller-role-arn/],
                [["--stack", "deve", "--caller-profile", "a", "--caller-role-arn", "arn:aws:iam::210987654321:role/x"], /not both/],
                [["--stack", "deve", "--timeout", "0"], /--timeout must be a number of seconds above 0 and at most 600, got '0'/],
                [["--stack", "deve", "--timeout", "5", "--step-timeout", "10"], /--step-timeout must not exceed --timeout/],
                [["--stack", "deve", "--external-id=x"], /secret on the command line/],
                [["--stack", "deve", "extra"], /Unexpected argument 'extra'/],
            ];
            for (const [args, message] of refused) {
                assert.throws(() => parseCli(args, {}), message, args.join(" "));
            }
        });

        it("names the outputs file and what it lacks", () => {
            const incomplete = path.join(dir, "incomplete.json");
            fs.writeFileSync(incomplete, JSON.stringify({ stage: "deve", oidcReaderRoleArn: "arn" }));
            assert.throws(() => readOutputs({ stack: "deve", outputsFile: incomplete }), /outputs file '.*incomplete\.json': stack outputs lack region, .*oidcRoleArn, smokeUsersFunctionName \(it has oidcReaderRoleArn/);
        });
    });
});
