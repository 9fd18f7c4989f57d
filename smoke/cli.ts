/**
 * `npm run smoke -- --stack <stage> [--outputs FILE] [--json] [--caller-profile P | --caller-role-arn ARN]
 *                   [--other-caller-profile P | --other-caller-role-arn ARN] [--external-id ID] [--timeout S]`
 *
 * Runs the post-deploy smoke checks against a deployed stage. Operator credentials come
 * from where this runs (credentials module: CI web identity, profile, default chain).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";

import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";

import { createSignedApiClient } from "../client/apiClient";
import { credentialsFor, CredentialSource, describeSource, detectSource } from "../client/credentials";
import { isStage, STAGES } from "../components/stage";
import { formatReport, formatResult, newRunId, parseOutputs, runSmoke, SmokeClients } from "./smoke";

interface CliOptions {
    stack: string;
    outputsFile?: string;
    json: boolean;
    caller?: CredentialSource;
    otherCaller?: CredentialSource;
    externalId?: string;
    timeoutSeconds: number;
}

function usage(message: string): never {
    process.stderr.write(
        `smoke: ${message}\n` +
            `usage: npm run smoke -- --stack <${STAGES.join("|")}> [--outputs FILE] [--json]\n` +
            "         [--caller-profile P | --caller-role-arn ARN] [--other-caller-profile P | --other-caller-role-arn ARN]\n" +
            "         [--external-id ID] [--timeout SECONDS]\n",
    );
    process.exit(2);
}

export function parseArgs(argv: string[]): CliOptions {
    const options: Partial<CliOptions> & { json: boolean; timeoutSeconds: number } = { json: false, timeoutSeconds: 120 };
    const value = (i: number, flag: string) => argv[i] ?? usage(`${flag} needs a value`);
    const roleSource = (roleArn: string, who: string): CredentialSource => ({
        kind: "assume-role",
        roleArn,
        sessionName: `smoke-${who}`,
        base: detectSource(),
    });
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        switch (flag) {
            case "--stack":
                options.stack = value(++i, flag);
                break;
            case "--outputs":
                options.outputsFile = value(++i, flag);
                break;
            case "--json":
                options.json = true;
                break;
            case "--caller-profile":
                options.caller = { kind: "profile", profile: value(++i, flag) };
                break;
            case "--caller-role-arn":
                options.caller = roleSource(value(++i, flag), "caller");
                break;
            case "--other-caller-profile":
                options.otherCaller = { kind: "profile", profile: value(++i, flag) };
                break;
            case "--other-caller-role-arn":
                options.otherCaller = roleSource(value(++i, flag), "other-caller");
                break;
            case "--external-id":
                options.externalId = value(++i, flag);
                break;
            case "--timeout": {
                const seconds = Number(value(++i, flag));
                if (!(seconds > 0)) usage(`--timeout must be a positive number of seconds, got '${argv[i]}'`);
                options.timeoutSeconds = seconds;
                break;
            }
            default:
                usage(`unknown argument '${flag}'`);
        }
    }
    if (!options.stack) usage("--stack is required");
    if (!isStage(options.stack)) usage(`unknown stage '${options.stack}'`);
    return options as CliOptions;
}

function readOutputs(options: CliOptions): unknown {
    const text = options.outputsFile
        ? fs.readFileSync(options.outputsFile, "utf8")
        : execFileSync("pulumi", ["stack", "output", "--json", "--stack", options.stack], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return JSON.parse(text);
}

const REQUEST_HANDLER = { connectionTimeout: 3000, requestTimeout: 8000 };

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const outputs = parseOutputs(readOutputs(options));
    if (outputs.stage !== options.stack) {
        usage(`the outputs are of stage '${outputs.stage}', not '${options.stack}'`);
    }
    const region = outputs.region;
    const operator = detectSource();
    const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
    log(`smoke: stage ${outputs.stage}, operator credentials: ${describeSource(operator)}`);

    const base = { region, maxAttempts: 3, requestHandler: REQUEST_HANDLER };
    const clients: SmokeClients = {
        idp: new CognitoIdentityProviderClient({ ...base, credentials: credentialsFor(operator, { region }) }),
        identity: new CognitoIdentityClient(base),
        s3For: (credentials) => new S3Client({ ...base, credentials }),
        stsFor: (credentials) => new STSClient(credentials ? { ...base, credentials } : base),
        apiFor: (credentials) => createSignedApiClient({ endpoint: outputs.apiEndpoint, region, credentials, timeoutMs: 10_000 }),
    };

    const abort = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: string) => {
        interrupts++;
        if (interrupts > 1) {
            process.stderr.write("smoke: interrupted again, exiting without finishing cleanup\n");
            process.exit(130);
        }
        process.stderr.write(`smoke: ${signal}: stopping, cleaning up what this run created (again to force exit)\n`);
        abort.abort();
    };
    process.on("SIGINT", () => onSignal("SIGINT"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    const overall = setTimeout(() => {
        process.stderr.write(`smoke: over ${options.timeoutSeconds} s, stopping\n`);
        abort.abort();
    }, options.timeoutSeconds * 1000);

    const report = await runSmoke(
        {
            outputs,
            runId: newRunId(),
            caller: options.caller ? credentialsFor(options.caller, { region }) : undefined,
            otherCaller: options.otherCaller ? credentialsFor(options.otherCaller, { region }) : undefined,
            externalId: options.externalId,
            signal: abort.signal,
            onResult: (result) => log(formatResult(result)),
        },
        clients,
    );
    clearTimeout(overall);
    log(formatReport(report));
    if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    process.exitCode = abort.signal.aborted && interrupts > 0 ? 130 : report.ok ? 0 : 1;
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(`smoke: ${(error as Error).message}\n`);
        process.exit(2);
    });
}
