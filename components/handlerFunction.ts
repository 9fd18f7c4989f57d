import * as fs from "fs";
import * as path from "path";

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "./naming";
import { lambdaTrustPolicy, logWritingPolicy } from "./policies";
import { LOG_RETENTION_DAYS } from "./stackSettings";

/** The runtime every handler runs on; it ships the AWS SDK v3 the handlers use. */
export const HANDLER_RUNTIME = "nodejs22.x";

/**
 * Packages of `dependencies` that the Lambda runtime already provides: the handlers use
 * the AWS SDK v3 of `nodejs22.x` instead of shipping their own copy.
 */
export const RUNTIME_PROVIDED = /^@aws-sdk\//;

export interface HandlerFunctionArgs {
    /** Runs once per container and returns the handler (`CallbackFunction`'s `callbackFactory`). */
    readonly callbackFactory: () => (event: never) => Promise<unknown>;
    /** One-line purpose, shown in the Lambda console. */
    readonly description: string;
    /** Environment variables. @default {} */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /**
     * Packages of `dependencies` the handler loads at run time and the runtime does not
     * provide; every other package is kept out of the archive.
     * @default []
     */
    readonly bundledPackages?: readonly string[];
    /** Retention of the function's log group, in days. @default 30 */
    readonly logRetentionDays?: number;
    /** @default 10 */
    readonly timeoutSeconds?: number;
    /** @default 256 */
    readonly memorySizeMb?: number;
    /** IAM path of the execution role. @default "/" */
    readonly rolePath?: string;
    /** Physical name of the function, so policies can name it. @default auto-named */
    readonly functionName?: string;
    /** Physical name of the execution role. @default auto-named */
    readonly roleName?: string;
    /** Name of the function's log group, so policies can name it. @default auto-named */
    readonly logGroupName?: string;
    /**
     * ARN of the managed policy set as the execution role's permissions boundary.
     * @default none
     */
    readonly permissionsBoundary?: pulumi.Input<string>;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/** Names of this project's `dependencies`, read once. */
function projectDependencies(): string[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
    };
    return Object.keys(manifest.dependencies ?? {});
}

const PROJECT_ROOT = path.join(__dirname, "..");

/**
 * The files of a dependency-free package that `require` loads: its package.json (for
 * `exports`), the folder of its CommonJS entry point, and its licence. Undefined when the
 * package has dependencies of its own, or no CommonJS entry in a folder of its own.
 */
function commonJsFiles(pkg: string): string[] | undefined {
    const dir = path.join(PROJECT_ROOT, "node_modules", pkg);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        main?: string;
        exports?: Record<string, { require?: string } | string>;
    };
    if (Object.keys(manifest.dependencies ?? {}).length > 0) {
        return undefined;
    }
    const root = manifest.exports?.["."];
    const entry = (typeof root === "object" ? root.require : undefined) ?? manifest.main;
    const entryDir = entry ? path.posix.dirname(path.posix.normalize(entry)) : ".";
    if (entryDir === ".") {
        return undefined;
    }
    const relative = (file: string) => path.relative(process.cwd(), path.join(dir, file)).split(path.sep).join("/");
    return ["package.json", entryDir, "LICENSE"].filter((file) => fs.existsSync(path.join(dir, file))).map(relative);
}

/**
 * `codePathOptions` that keep every project dependency out of the archive except the
 * packages named, which must themselves be dependencies (so a typo cannot ship nothing).
 * A bundled package without dependencies ships only what `require` loads (its CommonJS
 * build), not its ES module build, type declarations or docs.
 */
export function archiveOnly(bundled: readonly string[], dependencies: readonly string[] = projectDependencies()) {
    const extraIncludePaths: string[] = [];
    const trimmed: string[] = [];
    for (const pkg of bundled) {
        if (!dependencies.includes(pkg)) {
            throw new Error(`bundledPackages: '${pkg}' is not in package.json dependencies`);
        }
        if (RUNTIME_PROVIDED.test(pkg)) {
            throw new Error(`bundledPackages: '${pkg}' is provided by the ${HANDLER_RUNTIME} runtime`);
        }
        const files = commonJsFiles(pkg);
        if (files) {
            extraIncludePaths.push(...files);
            trimmed.push(pkg);
        }
    }
    return {
        extraIncludePaths,
        extraExcludePackages: dependencies.filter((dep) => !bundled.includes(dep) || trimmed.includes(dep)),
    };
}

/**
 * A Lambda function built from an inline callback, with what `CallbackFunction` does not do
 * by default: its own execution role that may only write its own log group (no managed
 * policies), a log group with retention, an explicit runtime and an archive holding only
 * the packages the handler needs.
 */
export class HandlerFunction extends pulumi.ComponentResource {
    public readonly function: aws.lambda.CallbackFunction<never, unknown>;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly arn: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:compute:HandlerFunction", name, {}, opts);
        const retention = args.logRetentionDays ?? 30;
        if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
            throw new Error(`HandlerFunction '${name}': logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got '${retention}'`);
        }
        const timeout = args.timeoutSeconds ?? 10;
        if (!Number.isInteger(timeout) || timeout < 1 || timeout > 29) {
            // API Gateway gives up after 29 seconds; a longer function only burns money.
            throw new Error(`HandlerFunction '${name}': timeoutSeconds must be an integer from 1 to 29, got '${timeout}'`);
        }
        checkRolePath(`HandlerFunction '${name}'`, args.rolePath);
        const codePathOptions = archiveOnly(args.bundledPackages ?? []);

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: args.logGroupName, retentionInDays: retention, tags: args.tags },
            { parent: this },
        );
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                path: args.rolePath,
                permissionsBoundary: args.permissionsBoundary,
                description: `Execution role of ${name}: writes its own logs, nothing else`,
                assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
                tags: args.tags,
            },
            { parent: this },
        );
        const logging = new aws.iam.RolePolicy(
            `${name}-logging`,
            {
                role: this.role.name,
                name: "own-log-group",
                policy: this.logGroup.arn.apply((arn) => JSON.stringify(logWritingPolicy(arn))),
            },
            { parent: this },
        );

        this.function = new aws.lambda.CallbackFunction<never, unknown>(
            `${name}-fn`,
            {
                callbackFactory: args.callbackFactory,
                name: args.functionName,
                description: args.description,
                role: this.role,
                runtime: HANDLER_RUNTIME,
                architectures: ["arm64"],
                memorySize: args.memorySizeMb ?? 256,
                timeout,
                environment: { variables: args.environment ?? {} },
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
                codePathOptions,
                tags: args.tags,
            },
            { parent: this, dependsOn: [logging] },
        );
        this.arn = this.function.arn;
        this.functionName = this.function.name;
        this.registerOutputs({ arn: this.arn, functionName: this.functionName, roleArn: this.role.arn });
    }
}
