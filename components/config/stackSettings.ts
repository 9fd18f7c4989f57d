import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

import { LOG_RETENTION_DAYS } from "./logRetention";
import { parseStage, Stage, Tier, TIERS } from "./stage";

export { LOG_RETENTION_DAYS };

export type MfaMode = "OPTIONAL" | "ON";

/** Everything the program takes from a stack's configuration, validated. */
export interface StackSettings {
    readonly stage: Stage;
    /** What the stage serves: the caller role it trusts, and whether its data may go unprotected. */
    readonly tier: Tier;
    readonly region: string;
    readonly userFilesPrefix: string;
    readonly mfa: MfaMode;
    /**
     * Lifetime of the app client's IdTokens, minutes. Longer tokens mean fewer token refreshes
     * (Cognito's UserAuthentication quota), and a longer time before a group change applies.
     */
    readonly idTokenValidityMinutes: number;
    readonly logRetentionDays: number;
    readonly protectData: boolean;
    /** 12-digit account id of the API's caller. */
    readonly callerAccountId: string;
    /** Caller role trusted by development stages. */
    readonly callerDevRoleName: string;
    /** Caller role trusted by production stages. */
    readonly callerProdRoleName: string;
    readonly apiThrottleRateLimit: number;
    readonly apiThrottleBurstLimit: number;
    /** Record role assumptions and per-user object access in a CloudTrail trail. */
    readonly auditTrail: boolean;
    /** `owner/name` whose GitHub Actions get CI roles; none means no CI roles. */
    readonly githubRepository?: string;
    /**
     * `<owner id>/<repository id>`: GitHub's numeric ids of the repository and its owner, which the
     * CI roles then require in the subject (GitHub's immutable subject format), so a repository
     * re-created or renamed into the same name gets nothing.
     */
    readonly githubRepositoryIds?: string;
    /**
     * `existing`: the account's GitHub OIDC provider, which an administrator creates once per
     * account (an account has one provider per URL); `create`: this stack creates it.
     */
    readonly githubOidcProvider: "create" | "existing";
    /** The repository's OIDC subject template includes `ref` (see `GitHubSubjectArgs`). */
    readonly githubSubjectIncludesRef: boolean;
    /** GitHub environment the deploy job runs in. */
    readonly githubDeployEnvironment?: string;
    /** S3 bucket of the Pulumi state, when the stack uses an S3 backend. */
    readonly ciStateBucket?: string;
    /** Whether an ExternalId (a secret, read by the program as one) is configured and valid. */
    readonly callerExternalIdSet: boolean;
}

/**
 * Values the stack files ship with so that the program runs offline out of the box. A real
 * deployment refuses them: a trust policy naming a caller role that does not exist fails, and
 * CI roles trusting a repository the user does not own would be worse.
 */
export const EXAMPLE_VALUES = { callerAccountId: "210987654321", githubRepository: "example-org/federated-access", githubRepositoryIds: "1000001/2000002" } as const;

/** The types Pulumi's project file gives a configuration key; the CLI checks stack values against them. */
export type ProjectConfigType = "string" | "integer" | "boolean";

/** One key of this project's namespace: how the program validates it and how `Pulumi.yaml` declares it. */
export interface ConfigKey {
    /**
     * Validates and converts the raw value. The engine hands every value to the program as a
     * string (`true`, `14`), so every schema starts from a string.
     */
    readonly schema: z.ZodType<unknown, string>;
    /** `type` in Pulumi.yaml. */
    readonly type: ProjectConfigType;
    /** `description` in Pulumi.yaml. */
    readonly description: string;
    /**
     * `default` in Pulumi.yaml, which the CLI applies to a stack that does not set the key, for
     * every stage alike. None: the key is required. An empty string means "not set".
     */
    readonly default?: string | number | boolean;
    /** What to set, shown when the key is missing; every required key has one. */
    readonly missingHint?: string;
    /**
     * An optional secret, which Pulumi.yaml cannot declare: a declared key without a default is
     * required by the CLI, and a default is a plaintext value that `secret: true` refuses. The
     * program refuses it unencrypted instead.
     */
    readonly secret?: true;
}

/** `must be <what>, got '<value>'`: the refusal every key uses, naming the value received. */
const must = (what: string) => ({ error: (issue: { input?: unknown }) => `must be ${what}, got '${String(issue.input)}'` });

const text = (pattern: RegExp, what: string) => z.string().regex(pattern, must(what));
/** An optional text key: its default is the empty string, which means "not set". */
const optionalText = (pattern: RegExp, what: string) =>
    z
        .string()
        .refine((value) => value === "" || pattern.test(value), must(what))
        .transform((value) => (value === "" ? undefined : value));
const flag = z.enum(["true", "false"], must("true or false")).transform((value) => value === "true");
const positiveInteger = z.string().regex(/^[1-9]\d*$/, must("a positive integer")).transform(Number);
const roleName = text(/^[\w+=,.@-]{1,64}$/, "an IAM role name");

/**
 * The one schema of this project's configuration namespace. `Pulumi.yaml` declares exactly these
 * keys with these types, descriptions and defaults (a test holds the two together), and the
 * configuration reference, docs/configuration.md, lists them.
 */
export const CONFIG_KEYS = {
    tier: {
        type: "string",
        description: "What the stage serves: development (trusts callerDevRoleName) or production (trusts callerProdRoleName; protectData cannot be false).",
        missingHint: "development or production",
        schema: z.enum(TIERS, must(TIERS.join(" or "))),
    },
    userFilesPrefix: {
        type: "string",
        description: "Folder of the user files bucket holding one <identityId>/ per user: lowercase letters, digits and '-'.",
        missingHint: "for example cognito-test",
        schema: text(/^[a-z0-9][a-z0-9-]{0,62}$/, "1-63 lowercase letters, digits or '-' with no '/'"),
    },
    mfa: {
        type: "string",
        description: "Cognito MFA: OPTIONAL (users may enrol a TOTP app) or ON (required at every sign-in; the smoke checks then cannot sign in).",
        default: "OPTIONAL",
        schema: z.enum(["OPTIONAL", "ON"], must("OPTIONAL or ON")),
    },
    idTokenValidityMinutes: {
        type: "integer",
        description:
            "Lifetime of the app client's IdTokens, in minutes (5 to 1440; access tokens stay 60). A group change (a demoted admin) applies only when tokens issued before it expire, plus the credentials' hour: above 60 the plan reports that promise broken.",
        default: 60,
        schema: z
            .string()
            .refine((value) => /^[1-9]\d*$/.test(value) && Number(value) >= 5 && Number(value) <= 1440, must("an integer from 5 to 1440"))
            .transform(Number),
    },
    logRetentionDays: {
        type: "integer",
        description: "Retention of the API's and the handlers' log groups, in days (a value CloudWatch Logs accepts).",
        default: 30,
        schema: z
            .string()
            .refine((value) => /^\d+$/.test(value) && (LOG_RETENTION_DAYS as readonly number[]).includes(Number(value)), must(`one of ${LOG_RETENTION_DAYS.join(", ")}`))
            .transform(Number),
    },
    protectData: {
        type: "boolean",
        description: "Protection of what holds or keys user data (user pool, identity pool, user files bucket): kept on destroy, never replaced or deleted by a deployment. Cannot be false in production.",
        default: true,
        schema: flag,
    },
    callerAccountId: {
        type: "string",
        description: "12-digit id of the account whose role calls this stage's API.",
        missingHint: "the 12-digit account id of the API's caller",
        schema: text(/^\d{12}$/, "a 12-digit AWS account id"),
    },
    callerDevRoleName: {
        type: "string",
        description: "Role of the caller's account that development stages trust.",
        default: "LambdaRoleDeve",
        schema: roleName,
    },
    callerProdRoleName: {
        type: "string",
        description: "Role of the caller's account that production stages trust.",
        default: "LambdaRoleProd",
        schema: roleName,
    },
    callerExternalId: {
        type: "string",
        description: "sts:ExternalId the caller must present; optional, set encrypted with `pulumi config set --secret`.",
        secret: true,
        // The value is a secret: a refusal names the key and what is wrong, never the value.
        schema: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, { error: "must be 2-1224 letters, digits or +=,.@:/- (the value is a secret and not shown)" }),
    },
    apiThrottleRateLimit: {
        type: "integer",
        description: "Default route throttling of the HTTP API: steady requests per second.",
        default: 50,
        schema: positiveInteger,
    },
    apiThrottleBurstLimit: {
        type: "integer",
        description: "Default route throttling of the HTTP API: burst of requests.",
        default: 100,
        schema: positiveInteger,
    },
    auditTrail: {
        type: "boolean",
        description: "A CloudTrail trail of role assumptions and of object access in the user files bucket.",
        default: true,
        schema: flag,
    },
    githubRepository: {
        type: "string",
        description: "owner/name of the GitHub repository whose Actions get this stage's CI roles; empty: no CI roles.",
        default: "",
        schema: optionalText(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "'owner/name' of a GitHub repository (no wildcard)"),
    },
    githubRepositoryIds: {
        type: "string",
        description: "<owner id>/<repository id> of githubRepository (owner.id and id in gh api repos/<owner>/<name>): the CI roles then trust only GitHub's immutable subjects, repo:<owner>@<owner id>/<name>@<repository id>:…, which a repository re-created or renamed into the same name cannot present; empty: names only.",
        default: "",
        schema: optionalText(/^[1-9]\d{0,19}\/[1-9]\d{0,19}$/, "'<owner id>/<repository id>', GitHub's numeric ids"),
    },
    githubOidcProvider: {
        type: "string",
        description: "existing: the account's GitHub OIDC provider, created once by an administrator; create: this stack creates it (the only stack of its account to do so; kept on destroy).",
        default: "existing",
        schema: z.enum(["create", "existing"], must("create or existing")),
    },
    githubSubjectIncludesRef: {
        type: "boolean",
        description: "The repository's OIDC subject template includes the ref, so deploy and smoke roles trust their environment on main only.",
        default: true,
        schema: flag,
    },
    githubDeployEnvironment: {
        type: "string",
        description: "GitHub environment of this stage's deploy job (not ending in -smoke, the smoke jobs' environments; each stage its own); empty: the deploy role trusts pushes to main.",
        default: "",
        // `<name>-smoke` and `smoke` are smoke jobs' environments (components/ci/githubCi.ts
        // smokeEnvironmentOf): a deploy role trusting one would be the prize of another stage's smoke job.
        schema: optionalText(/^(?![A-Za-z0-9._-]*(^|-)smoke$)[A-Za-z0-9._-]{1,249}$/, "a GitHub environment name of at most 249 characters, not ending in -smoke (the smoke jobs' environments)"),
    },
    ciStateBucket: {
        type: "string",
        description: "S3 bucket of the Pulumi state when the backend is s3://: the preview role reads its stack there, the deploy role writes it and takes its lock.",
        default: "",
        schema: optionalText(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
    },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** A key without a default is required, unless it is an optional secret (which has no default either). */
export function isRequired(spec: ConfigKey): boolean {
    return spec.default === undefined && spec.secret !== true;
}

/** Each key's value as its schema delivers it; absent until it has parsed. */
type Parsed = { -readonly [K in ConfigKeyName]?: z.output<(typeof CONFIG_KEYS)[K]["schema"]> };

/** The key of the `aws` namespace the program needs; it has no other namespace's keys. */
const REGION = { key: "aws:region", pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, missingHint: "for example ap-northeast-1" };

/** Keys the CI roles are built from: setting one (to other than its default) without a repository is a mistake. */
const NEEDS_REPOSITORY = ["githubRepositoryIds", "githubOidcProvider", "githubSubjectIncludesRef", "githubDeployEnvironment", "ciStateBucket"] as const;

/** Pulumi tolerates at most this many edits between a mistyped attribute and the one meant. */
const SUGGESTION_DISTANCE = 2;

export interface ParseOptions {
    /** The configuration's namespace (the project name). @default "federated-access" */
    readonly namespace?: string;
    /** Refuse the example values (a real `pulumi up`/`preview`, not the mock engine). @default false */
    readonly refuseExampleValues?: boolean;
    /**
     * Every configuration key the stack has, namespace included, so that keys this project does
     * not know are refused instead of ignored.
     * @default the keys the engine handed the program (`pulumi.runtime.allConfig()`)
     */
    readonly configKeys?: readonly string[];
    /**
     * Whether the engine handed a key over as a secret (a `secure:` value).
     * @default what the engine said (`PULUMI_CONFIG_SECRET_KEYS`, read through the SDK)
     */
    readonly isSecret?: (key: string) => boolean;
}

/** Reads one raw configuration value; `undefined` when the key is not set. */
export type ConfigReader = (key: string) => string | undefined;

/**
 * How the SDK tells which keys the engine marked secret. The SDK exports it from its runtime but
 * keeps it out of its type declarations; a test holds this to the installed SDK.
 */
export function runtimeSecretCheck(): ((key: string) => boolean) | undefined {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
    return typeof check === "function" ? (key: string) => (check as (k: string) => boolean)(key) === true : undefined;
}

/** Edit distance, case-insensitive, as Pulumi measures a mistyped attribute of Pulumi.yaml. */
function distance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
    for (let i = 1; i <= s.length; i++) {
        const current = [i];
        for (let j = 1; j <= t.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[t.length];
}

/** The known key closest to `name`, if one is close enough to be what was meant. */
export function closestKey(name: string, known: readonly string[] = Object.keys(CONFIG_KEYS)): string | undefined {
    let best: string | undefined;
    let bestDistance = SUGGESTION_DISTANCE + 1;
    for (const candidate of [...known].sort()) {
        const d = distance(name, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/**
 * Validates a stack's configuration against `CONFIG_KEYS`. Every failure names the key (as
 * written in `Pulumi.<stack>.yaml`) and the value received (never a secret's), and all failures
 * are reported at once so one edit fixes a stack file.
 *
 * @param stackName the Pulumi stack name, which must be a stage.
 * @param project reads keys of this project's namespace.
 * @param aws reads keys of the `aws` namespace.
 */
export function parseStackSettings(stackName: string, project: ConfigReader, aws: ConfigReader, options: ParseOptions = {}): StackSettings {
    const namespace = options.namespace ?? "federated-access";
    const stage = parseStage(stackName);
    const key = (name: string) => `${namespace}:${name}`;
    const region = aws("region");
    const { raw, missing } = readRawValues(project, key);
    const problems: string[] = [];
    if (region !== undefined && !REGION.pattern.test(region)) {
        problems.push(`'${REGION.key}' must be an AWS region such as ap-northeast-1, got '${region}'`);
    }
    problems.push(...presenceProblems(stackName, project, region, missing, key));
    problems.push(...unknownKeyProblems(namespace, options.configKeys ?? Object.keys(pulumi.runtime.allConfig()), key));
    const values = parseValues(raw, key, problems);
    problems.push(...crossKeyProblems(raw, values, key, options.isSecret ?? runtimeSecretCheck()));
    if (options.refuseExampleValues) problems.push(...exampleValueProblems(values, key));

    if (problems.length > 0) {
        throw new Error(`Invalid configuration for stack '${stackName}':\n  - ${problems.join("\n  - ")}`);
    }
    // No problem left: every key has a value of its schema's type (required ones were present).
    return settingsOf(stage, region!, values as Required<Parsed>);
}

type RawValues = Partial<Record<ConfigKeyName, string>>;

/**
 * What the stack set, with Pulumi.yaml's defaults for what it did not (the CLI applies them
 * before the program runs; applying them here too keeps runs without the CLI the same), and
 * the required keys it lacks.
 */
function readRawValues(project: ConfigReader, key: (name: string) => string): { raw: RawValues; missing: string[] } {
    const raw: RawValues = {};
    const missing: string[] = [];
    for (const name of Object.keys(CONFIG_KEYS) as ConfigKeyName[]) {
        const spec: ConfigKey = CONFIG_KEYS[name];
        const value = project(name);
        if (value !== undefined) {
            raw[name] = value;
        } else if (spec.default !== undefined) {
            raw[name] = String(spec.default);
        } else if (isRequired(spec)) {
            missing.push(`missing required key '${key(name)}' (${spec.missingHint ?? "see the configuration reference, docs/configuration.md"})`);
        }
    }
    return { raw, missing };
}

/** The missing required keys (the region first), or one problem when the stack set nothing of its own. */
function presenceProblems(stackName: string, project: ConfigReader, region: string | undefined, missingKeys: string[], key: (name: string) => string): string[] {
    const names = Object.keys(CONFIG_KEYS) as ConfigKeyName[];
    const required = names.filter((name) => isRequired(CONFIG_KEYS[name]));
    const onlyDefaults = names.every((name) => {
        const value = project(name);
        const fallback = (CONFIG_KEYS[name] as ConfigKey).default;
        return value === undefined || (fallback !== undefined && value === String(fallback));
    });
    if (region === undefined && required.every((name) => project(name) === undefined) && onlyDefaults) {
        // Nothing of the stack's own: the stack file is missing or empty, which is one problem.
        return [
            `no configuration for stack '${stackName}': Pulumi.${stackName}.yaml is missing or empty. A stack needs at least ` +
                `${[REGION.key, ...required.map(key)].join(", ")} (the configuration reference, docs/configuration.md, lists every key)`,
        ];
    }
    return region === undefined ? [`missing required key '${REGION.key}' (${REGION.missingHint})`, ...missingKeys] : missingKeys;
}

/** Keys of the project's namespace that it does not know, with the key probably meant. */
function unknownKeyProblems(namespace: string, configKeys: readonly string[], key: (name: string) => string): string[] {
    const problems: string[] = [];
    for (const full of configKeys) {
        if (!full.startsWith(`${namespace}:`)) {
            continue;
        }
        const name = full.slice(namespace.length + 1);
        if (!(name in CONFIG_KEYS)) {
            const meant = closestKey(name);
            problems.push(
                meant
                    ? `unknown key '${full}': did you mean '${key(meant)}'?`
                    : `unknown key '${full}': this project's keys are those of Pulumi.yaml (remove it with pulumi config rm ${full})`,
            );
        }
    }
    return problems;
}

/** Each value through its key's schema; what a schema refuses is added to `problems`. */
function parseValues(raw: RawValues, key: (name: string) => string, problems: string[]): Parsed {
    const values: Parsed = {};
    for (const name of Object.keys(CONFIG_KEYS) as ConfigKeyName[]) {
        const value = raw[name];
        if (value === undefined) {
            continue;
        }
        const result = CONFIG_KEYS[name].schema.safeParse(value);
        if (result.success) {
            (values as Record<string, unknown>)[name] = result.data;
        } else {
            problems.push(...result.error.issues.map((issue) => `'${key(name)}' ${issue.message}`));
        }
    }
    return values;
}

/** Rules across keys: production data is protected, CI keys need a repository, the external id is a secret. */
function crossKeyProblems(raw: RawValues, values: Parsed, key: (name: string) => string, isSecret: ((key: string) => boolean) | undefined): string[] {
    const problems: string[] = [];
    if (values.tier === "production" && values.protectData === false) {
        problems.push(`'${key("protectData")}' cannot be false in a production stage ('${key("tier")}' production): production data is always protected`);
    }
    if ((raw.githubRepository ?? "") === "") {
        for (const dependent of NEEDS_REPOSITORY) {
            const value = raw[dependent];
            if (value !== undefined && value !== String((CONFIG_KEYS[dependent] as ConfigKey).default)) {
                problems.push(`'${key(dependent)}' is set but '${key("githubRepository")}' is not: CI roles need the repository`);
            }
        }
    }
    const externalIdKey = key("callerExternalId");
    if (raw.callerExternalId !== undefined && isSecret !== undefined && !isSecret(externalIdKey)) {
        problems.push(`'${externalIdKey}' is stored in plaintext: set it encrypted (pulumi config set --secret ${externalIdKey} <value>)`);
    }
    return problems;
}

/** The example values of the shipped stack files, refused where a real deployment needs its own. */
function exampleValueProblems(values: Parsed, key: (name: string) => string): string[] {
    const problems: string[] = [];
    if (values.callerAccountId === EXAMPLE_VALUES.callerAccountId) {
        problems.push(
            `'${key("callerAccountId")}' is the example account ${EXAMPLE_VALUES.callerAccountId}: set the account of the API's caller (pulumi config set ${key("callerAccountId")} <12-digit id>)`,
        );
    }
    if (values.githubRepository === EXAMPLE_VALUES.githubRepository) {
        problems.push(
            `'${key("githubRepository")}' is the example repository ${EXAMPLE_VALUES.githubRepository}: set yours (pulumi config set ${key("githubRepository")} <owner/name>) or remove it to create no CI roles`,
        );
    }
    if (values.githubRepositoryIds === EXAMPLE_VALUES.githubRepositoryIds) {
        problems.push(
            `'${key("githubRepositoryIds")}' is the example ${EXAMPLE_VALUES.githubRepositoryIds}: set your repository's '<owner id>/<repository id>' (owner.id and id in gh api repos/<owner>/<name>), or set it empty if the repository's OIDC subjects name it only (created before 2026-07-15 and not opted in to immutable subjects)`,
        );
    }
    return problems;
}

function settingsOf(stage: Stage, region: string, v: Required<Parsed>): StackSettings {
    return {
        stage,
        tier: v.tier,
        region,
        userFilesPrefix: v.userFilesPrefix,
        mfa: v.mfa,
        idTokenValidityMinutes: v.idTokenValidityMinutes,
        logRetentionDays: v.logRetentionDays,
        protectData: v.protectData,
        callerAccountId: v.callerAccountId,
        callerDevRoleName: v.callerDevRoleName,
        callerProdRoleName: v.callerProdRoleName,
        apiThrottleRateLimit: v.apiThrottleRateLimit,
        apiThrottleBurstLimit: v.apiThrottleBurstLimit,
        auditTrail: v.auditTrail,
        githubRepository: v.githubRepository,
        githubRepositoryIds: v.githubRepositoryIds,
        githubOidcProvider: v.githubOidcProvider,
        githubSubjectIncludesRef: v.githubSubjectIncludesRef,
        githubDeployEnvironment: v.githubDeployEnvironment,
        ciStateBucket: v.ciStateBucket,
        callerExternalIdSet: v.callerExternalId !== undefined && v.callerExternalId !== "",
    };
}
