/**
 * `npm run smoke -- --stack <stage> …`: the post-deploy smoke checks against a deployed stage
 * (`--help` for the options). Exit codes: 0 every check passed and cleanup removed what the
 * run created; 1 a check failed or cleanup left something; 2 a usage or set-up problem (no
 * check ran; a usage error is followed by a hint line, cli/usage.ts); 130 interrupted.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { parseArgs, ParseArgsConfig } from "util";

import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

import { credentialsFor, CredentialSource, describeSource, detectSource } from "../client/credentials";
import { isStage, SHIPPED_STAGES } from "../components/config/stage";
import { CliSpec, usageHint } from "../cli/usage";
import { createAwsClients } from "./clients";
import { describeError, errorName } from "./errors";
import { parseOutputs, StackOutputs } from "./outputs";
import { DEFAULT_STALE_AFTER_MS, formatReport, formatResult, newRunId, runSmoke, SmokeOptions } from "./smoke";

const EXTERNAL_ID_ENV = "SMOKE_EXTERNAL_ID";
// A run writes its record at set-up and when it cleans up; in between its record must not look
// abandoned to another run's sweep, so checks and cleanup together stay under the stale threshold.
const MAX_TIMEOUT_S = 600;
const MAX_CLEANUP_S = 120;

const USAGE = `usage: npm run smoke -- --stack <stage> [options]

Checks a deployed stage: creates two temporary users, proves who can reach what, removes
everything it created (and what crashed earlier runs left). Progress goes to stderr when it
is a terminal; the report to stdout.

options:
  --stack STAGE                 the stage (stack) to check (required)
  --outputs FILE                stack outputs as \`pulumi stack output --json\` prints them
                                (default: run that command)
  --json                        print the report as JSON on stdout (the table goes to stderr),
                                also when the run stops before any check ("ok": false, "error")
  --caller-profile NAME         credentials of the caller account's role this stage trusts
  --caller-role-arn ARN         ... or that role, assumed with the operator's credentials
  --other-caller-profile NAME   credentials of the other stages' caller role (must be refused)
  --other-caller-role-arn ARN   ... or that role, assumed with the operator's credentials
  --require-caller              fail, instead of skipping, the cross-account check without a caller
  --external-id-file FILE       the stage role's ExternalId (or set ${EXTERNAL_ID_ENV}; never on the command line)
  --timeout SECONDS             time for all checks (default 300, at most ${MAX_TIMEOUT_S}); cleanup gets as long, at most ${MAX_CLEANUP_S}
  --step-timeout SECONDS        time for one AWS call or API request (default 10, at most --timeout)
  --settle-timeout SECONDS      how long a step waits out a freshly deployed stage settling (default 60)
  -h, --help                    this help

The operator's credentials come from where this runs (AWS_PROFILE, environment, CI web
identity, default chain) and need only the stage's smoke role rights.

examples:
  npm run smoke -- --stack deve
  npm run --silent smoke -- --stack stag --outputs stack-outputs.json --json > smoke-report.json
  SMOKE_EXTERNAL_ID=... npm run smoke -- --stack prod --caller-profile caller-prod \\
      --other-caller-profile caller-dev --require-caller

Output read by a program (--json): run it as \`npm run --silent smoke -- …\`, or npm's own
lines ("> federated-access@… smoke") land on stdout ahead of the report.

exit codes: 0 all passed and cleaned up, 1 a check or the cleanup failed, 2 usage or set-up
problem (no check ran), 130 interrupted.
`;

/** A problem of how the tool was called or set up: one line, no stack, exit 2. */
export class SetupError extends Error {}

/** A mistake on the command line: as SetupError, followed by a hint line (cli/usage.ts). */
export class UsageError extends SetupError {}

const OPTIONS = {
    stack: { type: "string" },
    outputs: { type: "string" },
    json: { type: "boolean", default: false },
    "caller-profile": { type: "string" },
    "caller-role-arn": { type: "string" },
    "other-caller-profile": { type: "string" },
    "other-caller-role-arn": { type: "string" },
    "require-caller": { type: "boolean", default: false },
    "external-id-file": { type: "string" },
    timeout: { type: "string", default: "300" },
    "step-timeout": { type: "string" },
    "settle-timeout": { type: "string", default: "60" },
    help: { type: "boolean", short: "h", default: false },
} satisfies ParseArgsConfig["options"];

/** The smoke checks as a command line: a stage name alone was meant for --stack. */
export const SMOKE_CLI: CliSpec = { name: "smoke", options: OPTIONS, guess: (positional) => (isStage(positional) ? "stack" : undefined) };

export interface CliOptions {
    readonly help: boolean;
    readonly stack: string;
    readonly outputsFile?: string;
    readonly json: boolean;
    readonly caller?: CredentialSource;
    readonly otherCaller?: CredentialSource;
    readonly requireCaller: boolean;
    readonly externalIdFile?: string;
    readonly timeoutMs: number;
    readonly stepTimeoutMs: number;
    readonly settleTimeoutMs: number;
}

function seconds(flag: string, text: string, max = Infinity): number {
    const value = Number(text);
    if (!(value > 0) || value > max) {
        throw new UsageError(`--${flag} must be a number of seconds above 0${max < Infinity ? ` and at most ${max}` : ""}, got '${text}'`);
    }
    return value * 1000;
}

const isExternalIdFlag = (arg: string) => arg === "--external-id" || arg.startsWith("--external-id=");

/** Parses the command line; throws SetupError with a one-line reason. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
    if (argv.some(isExternalIdFlag)) {
        throw new UsageError(`--external-id would put a secret on the command line: set ${EXTERNAL_ID_ENV} or use --external-id-file`);
    }
    let values;
    try {
        ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (error) {
        // parseArgs explains at length how to pass positionals; the first sentence is the point.
        throw new UsageError(errorMessageFirstSentence(error));
    }
    if (values.help) {
        return { help: true } as CliOptions;
    }
    if (!values.stack) throw new UsageError("--stack is required");
    if (!isStage(values.stack)) throw new UsageError(`'${values.stack}' cannot be a stage: 2-8 lowercase letters and digits, e.g. ${SHIPPED_STAGES.join(", ")}`);
    const source = (who: string, profile: string | undefined, roleArn: string | undefined): CredentialSource | undefined => {
        if (profile && roleArn) throw new UsageError(`give --${who}-profile or --${who}-role-arn, not both`);
        if (profile) return { kind: "profile", profile };
        if (roleArn) return { kind: "assume-role", roleArn, sessionName: `smoke-${who}`, base: detectSource(env) };
        return undefined;
    };
    const caller = source("caller", values["caller-profile"], values["caller-role-arn"]);
    const otherCaller = source("other-caller", values["other-caller-profile"], values["other-caller-role-arn"]);
    if (values["require-caller"] && !caller) {
        throw new UsageError("--require-caller needs --caller-profile or --caller-role-arn");
    }
    const timeoutMs = seconds("timeout", values.timeout, MAX_TIMEOUT_S);
    const stepTimeoutMs = values["step-timeout"] === undefined ? Math.min(10_000, timeoutMs) : seconds("step-timeout", values["step-timeout"]);
    if (stepTimeoutMs > timeoutMs) throw new UsageError("--step-timeout must not exceed --timeout");
    return {
        help: false,
        stack: values.stack,
        outputsFile: values.outputs,
        json: values.json,
        caller,
        otherCaller,
        requireCaller: values["require-caller"],
        externalIdFile: values["external-id-file"],
        timeoutMs,
        stepTimeoutMs,
        settleTimeoutMs: seconds("settle-timeout", values["settle-timeout"]),
    };
}

function errorMessageFirstSentence(error: unknown): string {
    const message = String((error as Error).message ?? error);
    return message.split(/(?<=\.)\s|\n/)[0].replace(/\.$/, "");
}

/** Reads the stack outputs from the file, or from `pulumi stack output`. */
export function readOutputs(options: Pick<CliOptions, "outputsFile" | "stack">, env: NodeJS.ProcessEnv = process.env): StackOutputs {
    const command = `pulumi stack output --json --stack ${options.stack}`;
    let text: string;
    let origin: string;
    if (options.outputsFile) {
        origin = `outputs file '${options.outputsFile}'`;
        try {
            text = fs.readFileSync(options.outputsFile, "utf8");
        } catch (error) {
            throw new SetupError(`cannot read ${origin} (${(error as NodeJS.ErrnoException).code ?? describeError(error)}): write it with \`${command} > ${options.outputsFile}\``);
        }
    } else {
        origin = `\`${command}\``;
        const result = spawnSync("pulumi", ["stack", "output", "--json", "--stack", options.stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000, env });
        if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
            throw new SetupError("the Pulumi CLI is not installed (no `pulumi` on PATH): install it (https://www.pulumi.com/docs/install/) or pass --outputs FILE");
        }
        if (result.error || result.status !== 0) {
            const why = result.error ? describeError(result.error) : `exit ${result.status}: ${(result.stderr ?? "").trim().split("\n")[0]}`;
            throw new SetupError(`${origin} failed (${why}): check \`pulumi login\` and the stack, or pass --outputs FILE`);
        }
        text = result.stdout;
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        throw new SetupError(`${origin} is not JSON (${errorMessageFirstSentence(error)}): expected what \`${command}\` prints`);
    }
    try {
        return parseOutputs(raw);
    } catch (error) {
        throw new SetupError(`${origin}: ${(error as Error).message}`);
    }
}

function readExternalId(options: CliOptions, env: NodeJS.ProcessEnv): string | undefined {
    const fromEnv = env[EXTERNAL_ID_ENV];
    if (options.externalIdFile) {
        if (fromEnv) throw new SetupError(`the ExternalId is given twice (${EXTERNAL_ID_ENV} and --external-id-file): keep one`);
        let text: string;
        try {
            text = fs.readFileSync(options.externalIdFile, "utf8").trim();
        } catch (error) {
            throw new SetupError(`cannot read the ExternalId file '${options.externalIdFile}' (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`);
        }
        if (!text) throw new SetupError(`the ExternalId file '${options.externalIdFile}' is empty`);
        return text;
    }
    return fromEnv?.trim() || undefined;
}

/** Resolves the operator's credentials and proves them with sts:GetCallerIdentity. */
async function whoIsOperator(source: CredentialSource, provider: AwsCredentialIdentityProvider, region: string, timeoutMs: number): Promise<string> {
    const sts = new STSClient({ region, credentials: provider, maxAttempts: 1, requestHandler: { connectionTimeout: Math.min(3000, timeoutMs), requestTimeout: timeoutMs, throwOnRequestTimeout: true } });
    try {
        const who = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
        return who.Arn ?? "unknown";
    } catch (error) {
        if (errorName(error) === "CredentialsProviderError") {
            throw new SetupError(
                `no AWS credentials for the operator (${describeSource(source)}: ${errorMessageFirstSentence(error)}): sign in (aws sso login, AWS_PROFILE) or, in CI, assume the stage's smoke role first`,
            );
        }
        if (["TimeoutError", "AbortError"].includes(errorName(error))) {
            throw new SetupError(`STS did not answer GetCallerIdentity within ${timeoutMs / 1000} s: check the network and the region '${region}'`);
        }
        throw new SetupError(`the operator's credentials (${describeSource(source)}) do not work: ${describeError(error)}`);
    } finally {
        sts.destroy();
    }
}

/** What the command line asks of the run. */
export function smokeOptions(
    options: CliOptions,
    run: {
        readonly outputs: StackOutputs;
        readonly caller?: AwsCredentialIdentityProvider;
        readonly otherCaller?: AwsCredentialIdentityProvider;
        readonly externalId?: string;
        readonly signal: AbortSignal;
        readonly progress: (line: string) => void;
    },
): SmokeOptions {
    return {
        outputs: run.outputs,
        runId: newRunId(),
        caller: run.caller,
        otherCaller: run.otherCaller,
        requireCaller: options.requireCaller,
        externalId: run.externalId,
        signal: run.signal,
        cleanupTimeoutMs: Math.min(options.timeoutMs, MAX_CLEANUP_S * 1000),
        timing: { attemptTimeoutMs: options.stepTimeoutMs, settleBudgetMs: options.settleTimeoutMs },
        staleAfterMs: DEFAULT_STALE_AFTER_MS,
        onResult: (result) => run.progress(formatResult(result)),
        onProgress: run.progress,
    };
}

/** Where the CLI writes; the process's streams, or a test's. */
export interface CliIo {
    readonly stdout: { write(text: string, done: () => void): unknown };
    readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/**
 * The JSON report of a run that stopped before any check (exit 2), so that a consumer of
 * `--json` always gets a report: `ok` false, no checks, and what stopped it.
 */
export interface FailedRunReport {
    /** The stage asked for; null when the command line did not get that far. */
    readonly stage: string | null;
    readonly ok: false;
    readonly exitCode: 2;
    /** `hint`: for a usage error, the line under it (the help, or the command probably meant). */
    readonly error: { readonly kind: "usage" | "setup" | "internal"; readonly message: string; readonly hint?: string };
    readonly checks: [];
}

/**
 * Whether a command line that failed to parse asked for JSON: a literal `--json` before any
 * `--` (after it, every argument is a positional).
 */
function asksForJson(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/** Runs the CLI; resolves with its exit code. Only a second Ctrl-C ends the process from inside. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
    // Until the command line has parsed, a literal --json decides: a usage error still gets its report.
    let json = asksForJson(argv);
    let stage: string | null = null;
    try {
        const options = parseCli(argv, env);
        json = options.json === true;
        stage = options.help ? null : options.stack;
        return await main(options, env, io);
    } catch (error) {
        const kind = error instanceof UsageError ? "usage" : error instanceof SetupError ? "setup" : "internal";
        const message = error instanceof SetupError ? error.message : `internal error: ${describeError(error)}`;
        // A command line carrying a secret is never echoed back as the command meant.
        const hint = kind === "usage" ? usageHint(SMOKE_CLI, argv.some(isExternalIdFlag) ? [] : argv, argv.some(isExternalIdFlag) ? {} : env) : undefined;
        io.stderr.write(`smoke: ${message}${hint ? `\n${hint}` : kind !== "internal" ? "" : env.SMOKE_DEBUG ? `\n${(error as Error).stack}` : " (SMOKE_DEBUG=1 shows where)"}\n`);
        if (json) {
            const report: FailedRunReport = { stage, ok: false, exitCode: 2, error: { kind, message, ...(hint ? { hint } : {}) }, checks: [] };
            await write(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
        }
        return 2;
    }
}

async function main(options: CliOptions, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
    if (options.help) {
        await write(io.stdout, USAGE);
        return 0;
    }
    const outputs = readOutputs(options, env);
    if (outputs.stage !== options.stack) {
        throw new SetupError(`the outputs are of stage '${outputs.stage}', not '${options.stack}'`);
    }
    const externalId = readExternalId(options, env);
    if (outputs.callerExternalIdRequired && options.caller && !externalId) {
        throw new SetupError(`stage ${outputs.stage} requires an ExternalId of its caller: set ${EXTERNAL_ID_ENV} or use --external-id-file`);
    }
    const region = outputs.region;
    const progress = io.stderr.isTTY ? (line: string) => io.stderr.write(`${line}\n`) : () => undefined;
    let caller: AwsCredentialIdentityProvider | undefined;
    let otherCaller: AwsCredentialIdentityProvider | undefined;
    let operator: AwsCredentialIdentityProvider;
    const operatorSource = detectSource(env);
    try {
        caller = options.caller ? credentialsFor(options.caller, { region }) : undefined;
        otherCaller = options.otherCaller ? credentialsFor(options.otherCaller, { region }) : undefined;
        operator = credentialsFor(operatorSource, { region });
    } catch (error) {
        throw new SetupError((error as Error).message);
    }
    const operatorArn = await whoIsOperator(operatorSource, operator, region, options.stepTimeoutMs);
    progress(`smoke: stage ${outputs.stage}, operator ${operatorArn} (${describeSource(operatorSource)})`);

    const clients = createAwsClients({
        region,
        apiEndpoint: outputs.apiEndpoint,
        smokeUsersFunction: outputs.smokeUsersFunctionName,
        operator,
        attemptTimeoutMs: options.stepTimeoutMs,
        // The SDK's clients read these themselves; the broker's invoker is not an SDK client.
        lambdaEndpoint: env.AWS_ENDPOINT_URL_LAMBDA || env.AWS_ENDPOINT_URL || undefined,
    });
    const checks = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
        interrupts++;
        if (interrupts > 1) {
            io.stderr.write("smoke: interrupted again: exiting without finishing cleanup (the run's record lets a later run finish it)\n");
            process.exit(130);
        }
        io.stderr.write(`smoke: ${signal}: stopping, cleaning up what this run created (again to exit at once)\n`);
        checks.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const overall = setTimeout(() => {
        progress(`smoke: over ${options.timeoutMs / 1000} s, stopping`);
        checks.abort();
    }, options.timeoutMs);

    const report = await runSmoke(smokeOptions(options, { outputs, caller, otherCaller, externalId, signal: checks.signal, progress }), clients).finally(() => {
        clearTimeout(overall);
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        clients.destroy();
    });
    if (options.json) {
        io.stderr.write(`${formatReport(report)}\n`);
        await write(io.stdout, `${JSON.stringify({ ...report, operator: operatorArn }, null, 2)}\n`);
    } else {
        await write(io.stdout, `${formatReport(report)}\n`);
    }
    return interrupts > 0 ? 130 : report.ok ? 0 : 1;
}

const write = (stream: CliIo["stdout"], text: string) => new Promise<void>((resolve) => stream.write(text, () => resolve()));

if (require.main === module) {
    // Once the report is out nothing is left to wait for, whatever a library still holds open.
    void runCli(process.argv.slice(2), process.env, process).then((code) => process.stderr.write("", () => process.exit(code)));
}
