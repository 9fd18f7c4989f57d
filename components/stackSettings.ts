import { parseStage, Stage } from "./stage";

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export type MfaMode = "OPTIONAL" | "ON";

/** Everything the program takes from a stack's configuration, validated. */
export interface StackSettings {
    readonly stage: Stage;
    readonly region: string;
    readonly userFilesPrefix: string;
    readonly mfa: MfaMode;
    readonly logRetentionDays: number;
    readonly protectData: boolean;
    /** 12-digit account id of the API's caller. */
    readonly callerAccountId: string;
    /** Caller role trusted by deve and stag. */
    readonly callerDevRoleName: string;
    /** Caller role trusted by prod. */
    readonly callerProdRoleName: string;
    readonly apiThrottleRateLimit: number;
    readonly apiThrottleBurstLimit: number;
    /** Record role assumptions and per-user object access in a CloudTrail trail. */
    readonly auditTrail: boolean;
    /** `owner/name` whose GitHub Actions get CI roles; none means no CI roles. */
    readonly githubRepository?: string;
    /**
     * `create`: this stack creates the account's GitHub OIDC provider; `existing`: another
     * stack of the same account did (an account has one provider per URL).
     */
    readonly githubOidcProvider: "create" | "existing";
    /** The repository's OIDC subject template includes `ref` (see `GitHubSubjectArgs`). */
    readonly githubSubjectIncludesRef: boolean;
    /** GitHub environment the deploy job runs in. */
    readonly githubDeployEnvironment?: string;
    /** S3 bucket of the Pulumi state, when the stack uses an S3 backend. */
    readonly ciStateBucket?: string;
}

/**
 * Values the stack files ship with so that the program runs offline out of the box. A real
 * deployment refuses them: a trust policy naming a caller role that does not exist fails, and
 * CI roles trusting a repository the user does not own would be worse.
 */
export const EXAMPLE_VALUES = { callerAccountId: "210987654321", githubRepository: "example-org/federated-access" } as const;

export interface ParseOptions {
    /** The configuration's namespace (the project name). @default "federated-access" */
    readonly namespace?: string;
    /** Refuse the example values (a real `pulumi up`/`preview`, not the mock engine). @default false */
    readonly refuseExampleValues?: boolean;
}

/** Reads one raw configuration value; `undefined` when the key is not set. */
export type ConfigReader = (key: string) => string | undefined;

const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * Validates a stack's configuration. Every failure names the key (as written in
 * `Pulumi.<stack>.yaml`) and the value received, and all failures are reported at once
 * so one edit fixes a stack file.
 *
 * @param stackName the Pulumi stack name, which must be a stage.
 * @param project reads keys of this project's namespace.
 * @param aws reads keys of the `aws` namespace.
 */
export function parseStackSettings(
    stackName: string,
    project: ConfigReader,
    aws: ConfigReader,
    options: ParseOptions = {},
): StackSettings {
    const namespace = options.namespace ?? "federated-access";
    const stage = parseStage(stackName);
    const problems: string[] = [];
    const key = (k: string) => `${namespace}:${k}`;

    const region = aws("region");
    if (region === undefined) {
        problems.push("missing required key 'aws:region' (for example ap-northeast-1)");
    } else if (!REGION_PATTERN.test(region)) {
        problems.push(`'aws:region' must be an AWS region such as ap-northeast-1, got '${region}'`);
    }

    const userFilesPrefix = project("userFilesPrefix");
    if (userFilesPrefix === undefined) {
        problems.push(`missing required key '${key("userFilesPrefix")}' (for example cognito-test)`);
    } else if (!PREFIX_PATTERN.test(userFilesPrefix)) {
        problems.push(
            `'${key("userFilesPrefix")}' must be 1-63 lowercase letters, digits or '-' with no '/', got '${userFilesPrefix}'`,
        );
    }

    const mfaRaw = project("mfa") ?? "OPTIONAL";
    if (mfaRaw !== "OPTIONAL" && mfaRaw !== "ON") {
        problems.push(`'${key("mfa")}' must be OPTIONAL or ON, got '${mfaRaw}'`);
    }

    const retentionRaw = project("logRetentionDays");
    let logRetentionDays = 30;
    if (retentionRaw !== undefined) {
        logRetentionDays = Number(retentionRaw);
        if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
            problems.push(
                `'${key("logRetentionDays")}' must be one of ${LOG_RETENTION_DAYS.join(", ")}, got '${retentionRaw}'`,
            );
        }
    }

    const boolean = (name: string, fallback: boolean): boolean => {
        const raw = project(name);
        if (raw === undefined) {
            return fallback;
        }
        if (raw !== "true" && raw !== "false") {
            problems.push(`'${key(name)}' must be true or false, got '${raw}'`);
            return fallback;
        }
        return raw === "true";
    };
    const positive = (name: string, fallback: number, integer: boolean): number => {
        const raw = project(name);
        if (raw === undefined) {
            return fallback;
        }
        const value = Number(raw);
        if (!(value > 0) || (integer && !Number.isInteger(value))) {
            problems.push(`'${key(name)}' must be a positive ${integer ? "integer" : "number"}, got '${raw}'`);
            return fallback;
        }
        return value;
    };
    const roleName = (name: string, fallback: string): string => {
        const value = project(name) ?? fallback;
        if (!ROLE_NAME_PATTERN.test(value)) {
            problems.push(`'${key(name)}' must be an IAM role name, got '${value}'`);
        }
        return value;
    };

    const protectData = boolean("protectData", stage === "prod");
    if (stage === "prod" && !protectData) {
        problems.push(`'${key("protectData")}' cannot be false in prod: production data is always protected`);
    }

    const callerAccountId = project("callerAccountId");
    if (callerAccountId === undefined) {
        problems.push(`missing required key '${key("callerAccountId")}' (the 12-digit account id of the API's caller)`);
    } else if (!/^\d{12}$/.test(callerAccountId)) {
        problems.push(`'${key("callerAccountId")}' must be a 12-digit AWS account id, got '${callerAccountId}'`);
    }
    const callerDevRoleName = roleName("callerDevRoleName", "LambdaRoleDeve");
    const callerProdRoleName = roleName("callerProdRoleName", "LambdaRoleProd");
    const apiThrottleRateLimit = positive("apiThrottleRateLimit", 50, false);
    const apiThrottleBurstLimit = positive("apiThrottleBurstLimit", 100, true);
    const auditTrail = boolean("auditTrail", stage === "prod");
    const optional = (name: string, pattern: RegExp, what: string): string | undefined => {
        const value = project(name);
        if (value !== undefined && !pattern.test(value)) {
            problems.push(`'${key(name)}' must be ${what}, got '${value}'`);
        }
        return value;
    };
    const githubRepository = optional("githubRepository", /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "'owner/name' of a GitHub repository (no wildcard)");
    const githubOidcProviderRaw = project("githubOidcProvider") ?? "create";
    if (githubOidcProviderRaw !== "create" && githubOidcProviderRaw !== "existing") {
        problems.push(`'${key("githubOidcProvider")}' must be create or existing, got '${githubOidcProviderRaw}'`);
    }
    const githubSubjectIncludesRef = boolean("githubSubjectIncludesRef", true);
    const githubDeployEnvironment = optional("githubDeployEnvironment", /^[A-Za-z0-9._-]{1,255}$/, "a GitHub environment name");
    const ciStateBucket = optional("ciStateBucket", /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name");
    for (const dependent of ["githubOidcProvider", "githubSubjectIncludesRef", "githubDeployEnvironment", "ciStateBucket"]) {
        if (project(dependent) !== undefined && githubRepository === undefined) {
            problems.push(`'${key(dependent)}' is set but '${key("githubRepository")}' is not: CI roles need the repository`);
        }
    }
    if (options.refuseExampleValues) {
        if (callerAccountId === EXAMPLE_VALUES.callerAccountId) {
            problems.push(
                `'${key("callerAccountId")}' is the example account ${callerAccountId}: set the account of the API's caller (pulumi config set ${key("callerAccountId")} <12-digit id>)`,
            );
        }
        if (githubRepository === EXAMPLE_VALUES.githubRepository) {
            problems.push(
                `'${key("githubRepository")}' is the example repository ${githubRepository}: set yours (pulumi config set ${key("githubRepository")} <owner/name>) or remove it to create no CI roles`,
            );
        }
    }

    if (problems.length > 0) {
        throw new Error(`Invalid configuration for stack '${stackName}':\n  - ${problems.join("\n  - ")}`);
    }
    return {
        stage,
        region: region!,
        userFilesPrefix: userFilesPrefix!,
        mfa: mfaRaw as MfaMode,
        logRetentionDays,
        protectData,
        callerAccountId: callerAccountId!,
        callerDevRoleName,
        callerProdRoleName,
        apiThrottleRateLimit,
        apiThrottleBurstLimit,
        auditTrail,
        githubRepository,
        githubOidcProvider: githubOidcProviderRaw as StackSettings["githubOidcProvider"],
        githubSubjectIncludesRef,
        githubDeployEnvironment,
        ciStateBucket,
    };
}
