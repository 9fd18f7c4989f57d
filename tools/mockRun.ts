/**
 * Runs the real Pulumi program (index.ts) for one stack on Pulumi's mock engine and
 * records every resource it registers. The stack's `Pulumi.<stack>.yaml` is the runtime
 * config; mocks are in place before the program is imported; outputs are awaited.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";
import { Document, isScalar, parse, parseDocument } from "yaml";

import { TIERS } from "../components/config/stage";

export const PROJECT = "federated-access";
export const ACCOUNT_ID = "111122223333";
export const ROOT = path.resolve(__dirname, "..");

/** A stack file the plan refuses to read, with the file and key named: a user's mistake, not a failure of the tool. */
export class StackFileError extends Error {}

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;

/**
 * The stacks of a tree: one per stack file `Pulumi.<stack>.yaml` beside Pulumi.yaml, sorted. A
 * stage is added by adding its stack file; a name the program refuses is still listed, so that
 * running it reports why.
 */
export function stackNames(root = ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((file) => STACK_FILE.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/**
 * A stack's configuration as the program receives it: its stack file with Pulumi.yaml's
 * defaults filled in (no overrides, secrets as placeholders).
 */
export function stackConfig(stack: string, root = ROOT): Record<string, string> {
    return applyProjectDefaults(stackFileConfig(stack, path.join(root, `Pulumi.${stack}.yaml`), root).config, root);
}

/**
 * The stacks of a tree in the order they deploy: development stages before production ones,
 * by name within a tier (deve, stag, prod). A stack whose tier is missing or unknown, or whose
 * file the plan refuses, sorts last.
 */
export function stacksInDeployOrder(root = ROOT): string[] {
    // A stack file the plan refuses sorts last here; reading it for the program names the refusal.
    const tierOf = (stack: string) => {
        try {
            return stackConfig(stack, root)[`${projectFile(root).name}:tier`];
        } catch (error) {
            if (error instanceof StackFileError) return undefined;
            throw error;
        }
    };
    const rank = (stack: string) => {
        const index = (TIERS as readonly string[]).indexOf(tierOf(stack) ?? "");
        return index < 0 ? TIERS.length : index;
    };
    return stackNames(root).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Every stack of this repository's tree, in deploy order. */
export const STAGES: readonly string[] = stacksInDeployOrder();

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly id: string;
    /** False for component resources, which only group others. */
    readonly custom: boolean;
    /** What the program passed, as the engine would see it. */
    readonly inputs: Record<string, any>;
    /** Inputs plus the provider-computed attributes the mocks fill in (arn, endpoint, …). */
    readonly state: Record<string, any>;
    /** Resource options as the engine received them. */
    readonly options: RecordedOptions;
}

/** The resource options a deployment's behaviour depends on, as registered with the engine. */
export interface RecordedOptions {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** URNs of the resources this one explicitly depends on (`dependsOn`, including parents' and inputs' dependencies). */
    readonly dependsOn: string[];
    /** URN of the parent component, if any. */
    readonly parent?: string;
    /** A remote (multi-language) component: one opaque resource under mocks. */
    readonly remote: boolean;
}

export interface ProgramRun {
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly resources: RecordedResource[];
    readonly outputs: Record<string, any>;
    /** All resources of a type, e.g. `aws:iam/role:Role`. */
    ofType(type: string): RecordedResource[];
    /** The one resource of a type whose name is `name` (or the only one when no name is given). */
    one(type: string, name?: string): RecordedResource;
}

/**
 * Stands in for an encrypted (`secure:`) value, which only the Pulumi CLI can decrypt: the
 * program sees a value of the right shape, handed over as a secret, and the plan shows it as
 * `[secret]`.
 */
export const SECRET_PLACEHOLDER = "offline-secret-placeholder";

/** A key's declaration under `config:` in Pulumi.yaml. */
export interface ProjectConfigDeclaration {
    readonly type?: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

/** The project file: the project's name and its `config:` declarations, keys namespaced as the CLI reads them. */
export function projectFile(root = ROOT): { name: string; config: Record<string, ProjectConfigDeclaration> } {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, unknown> };
    const config: Record<string, ProjectConfigDeclaration> = {};
    for (const [key, declaration] of Object.entries(doc.config ?? {})) {
        // A bare value is shorthand for `value:`.
        const full = key.includes(":") ? key : `${doc.name}:${key}`;
        config[full] = declaration !== null && typeof declaration === "object" && !Array.isArray(declaration) ? (declaration as ProjectConfigDeclaration) : { value: declaration };
    }
    return { name: doc.name, config };
}

/**
 * A configuration value as the engine hands it to the program: scalars as their text (Go's
 * `%v`: `true`, `14`), anything else as JSON, an empty entry (`key:` with no value) as "".
 */
function engineText(value: unknown): string {
    if (value === null || value === undefined) {
        return "";
    }
    return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The config of a stack file, as the CLI loads it: a file that does not exist, or is empty, is
 * an empty configuration (the program then says so); keys without a namespace belong to the
 * project's; `secure:` values become secrets.
 *
 * @param file the stack file to read. @default Pulumi.<stack>.yaml beside Pulumi.yaml
 */
export function stackFileConfig(stack: string, file = path.join(ROOT, `Pulumi.${stack}.yaml`), root = ROOT): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    if (!fs.existsSync(file)) {
        return { config, secretKeys };
    }
    const project = projectFile(root).name;
    const document = parseDocument(fs.readFileSync(file, "utf8"));
    refuseAmbiguousScalars(document, file);
    const doc = document.toJS() as { config?: Record<string, unknown> } | null;
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            config[full] = SECRET_PLACEHOLDER;
            secretKeys.push(full);
            continue;
        }
        config[full] = engineText(value);
    }
    return { config, secretKeys };
}

/**
 * Refuses an unquoted number or boolean of the stack file written other than as its plain text
 * (`060`, `0x5A0`, `1e3`, `60.0`, `+60`): YAML readers disagree on such forms (a leading zero is
 * octal in YAML 1.1, decimal in 1.2), so the value this plan reads might not be the one a
 * deployment reads. Written plainly (`60`) or quoted, every reader takes the same value.
 */
function refuseAmbiguousScalars(document: Document, file: string): void {
    const config = document.get("config", true) as { items?: { key: unknown; value: unknown }[] } | undefined;
    for (const item of config?.items ?? []) {
        const value = item.value;
        if (!isScalar(value) || value.type !== "PLAIN" || (typeof value.value !== "number" && typeof value.value !== "boolean")) continue;
        if (value.source !== undefined && value.source !== String(value.value)) {
            const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
            throw new StackFileError(
                `${path.basename(file)}: ${key}: write '${value.source}' as ${String(value.value)}, or quote it: YAML readers do not agree on what '${value.source}' is, so a deployment might read another value than the plan`,
            );
        }
    }
}

/**
 * Fills in what Pulumi.yaml declares for keys the stack does not set, as the CLI does before it
 * runs the program (`default`, or `value`). The CLI also refuses, at that point, a stack missing
 * a declared key that has no default, or whose value is not of the declared type; offline, the
 * program's own validation reports those, with the same keys and every other problem at once.
 */
export function applyProjectDefaults(config: Record<string, string>, root = ROOT): Record<string, string> {
    for (const [key, declaration] of Object.entries(projectFile(root).config)) {
        if (key in config) {
            continue;
        }
        const fallback = declaration.default !== undefined ? declaration.default : declaration.value;
        if (fallback !== undefined) {
            config[key] = engineText(fallback);
        }
    }
    return config;
}

function shortHash(text: string, length = 8): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Provider-computed attributes for the resource types the program reads back. */
function computedState(stack: string, type: string, name: string, inputs: Record<string, any>, region: string) {
    // Ids differ per stack, as they would in AWS, so cross-stack questions are meaningful.
    const h = shortHash(`${stack}/${type}/${name}`);
    const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
    switch (type) {
        case "aws:cognito/userPool:UserPool": {
            const id = `${region}_Mock${h}`;
            return { id, state: { arn: arnOf("cognito-idp", `userpool/${id}`), endpoint: `cognito-idp.${region}.amazonaws.com/${id}` } };
        }
        case "aws:cognito/userPoolClient:UserPoolClient":
            return { id: `client${h}${shortHash(name, 12)}`, state: {} };
        case "aws:cognito/identityPool:IdentityPool": {
            const id = `${region}:${h}-0000-4000-8000-${shortHash(name, 12)}`;
            return { id, state: { arn: arnOf("cognito-identity", `identitypool/${id}`) } };
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? (inputs.bucketPrefix ? `${inputs.bucketPrefix}${h}` : `${name}-${h}`);
            return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? `${name}-${h}`;
            const arn = `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? "/"}${roleName}`;
            return { id: roleName, state: { name: roleName, arn, uniqueId: `AROA${h.toUpperCase()}` } };
        }
        case "aws:iam/policy:Policy": {
            const policyName = inputs.name ?? `${name}-${h}`;
            return { id: `arn:aws:iam::${ACCOUNT_ID}:policy${inputs.path ?? "/"}${policyName}`, state: { name: policyName, arn: `arn:aws:iam::${ACCOUNT_ID}:policy${inputs.path ?? "/"}${policyName}` } };
        }
        case "aws:cloudtrail/trail:Trail": {
            const trailName = inputs.name ?? `${name}-${h}`;
            return { id: trailName, state: { name: trailName, arn: arnOf("cloudtrail", `trail/${trailName}`) } };
        }
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const host = String(inputs.url ?? name).replace(/^https:\/\//, "");
            return { id: host, state: { arn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${host}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const logGroupName = inputs.name ?? `${name}-${h}`;
            return { id: logGroupName, state: { name: logGroupName, arn: arnOf("logs", `log-group:${logGroupName}`) } };
        }
        case "aws:lambda/function:Function": {
            const functionName = inputs.name ?? `${name}-${h}`;
            const arn = arnOf("lambda", `function:${functionName}`);
            return {
                id: functionName,
                state: { name: functionName, arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` },
            };
        }
        case "aws:apigatewayv2/api:Api": {
            const id = `api${h}`;
            return {
                id,
                state: {
                    arn: `arn:aws:apigateway:${region}::/apis/${id}`,
                    executionArn: arnOf("execute-api", id),
                    apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
                },
            };
        }
        default:
            return { id: `${name}-${h}`, state: { arn: arnOf(type.split(":")[1]?.split("/")[0] ?? "mock", `${name}-${h}`) } };
    }
}

/** Awaits an Output (or plain value) without asserting inside `apply`. */
export function promiseOf<T>(value: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

function clearProjectModules(root: string): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

export interface RunOptions {
    /** Config values replacing (or, when `undefined`, removing) those of the stack file. */
    readonly overrides?: Record<string, string | undefined>;
    /** Config keys handed to the program as secrets. */
    readonly secretKeys?: string[];
    /** The stack file to read instead of Pulumi.<stack>.yaml; one that does not exist stands for a missing file. */
    readonly stackFile?: string;
    /**
     * The tree whose program (index.ts), project file and stack files are run, e.g. a pull
     * request's base checked out elsewhere. Its packages resolve to this tree's node_modules
     * (see tools/baseTree.ts), so both share one Pulumi runtime and its mocks.
     * @default ROOT
     */
    readonly root?: string;
}

/**
 * Runs index.ts as stack `stack`. Rejects with the program's own error when it refuses
 * its configuration.
 */
export async function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
    const root = options.root ?? ROOT;
    const { config, secretKeys } = runConfig(stack, options, root);
    // The program refuses a stack without a region; until it does, ids need one.
    const region = config["aws:region"] ?? "no-region-set";
    const resources: RecordedResource[] = [];
    const registered = new Map<string, RecordedOptions>();

    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(mocksRecording(stack, region, resources, registered), projectFile(root).name, stack, false);
    recordRegistrationOptions(registered);
    const outputs = await runIndex(root, resources);

    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
        stack,
        config,
        resources,
        outputs,
        ofType,
        one(type: string, name?: string) {
            const found = ofType(type).filter((r) => name === undefined || r.name === name);
            if (found.length !== 1) {
                throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
            }
            return found[0];
        },
    };
}

/** The stack file's configuration with the run's overrides, then Pulumi.yaml's defaults; and the keys to hold secret. */
function runConfig(stack: string, options: RunOptions, root: string): { config: Record<string, string>; secretKeys: string[] } {
    const fromFile = stackFileConfig(stack, options.stackFile ?? path.join(root, `Pulumi.${stack}.yaml`), root);
    const config = fromFile.config;
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = value;
        }
    }
    // After the overrides: a key an override removes is one the stack file does not set.
    applyProjectDefaults(config, root);
    return { config, secretKeys: [...fromFile.secretKeys, ...(options.secretKeys ?? [])] };
}

/** Mocks that answer each resource with its computed state and record it, with its registration options read lazily. */
function mocksRecording(stack: string, region: string, resources: RecordedResource[], registered: ReadonlyMap<string, RecordedOptions>): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const { id, state } = computedState(stack, args.type, args.name, args.inputs, region);
            const full = { ...args.inputs, ...state };
            resources.push({
                type: args.type,
                name: args.name,
                id,
                custom: args.custom !== false,
                inputs: args.inputs,
                state: full,
                get options() {
                    const recorded = registered.get(`${args.type}::${args.name}`);
                    if (!recorded) {
                        throw new Error(`no registration options recorded for ${args.type} ${args.name}`);
                    }
                    return recorded;
                },
            });
            return { id, state: full };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`, userId: "AIDAMOCK", id: ACCOUNT_ID };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                default:
                    return args.inputs;
            }
        },
    };
}

/**
 * The mocks see only type, name and inputs; the options (protect, retainOnDelete, dependsOn,
 * remote) travel in the registration request, so they are read there.
 */
function recordRegistrationOptions(registered: Map<string, RecordedOptions>): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, callback: any) => unknown };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        registered.set(`${req.getType()}::${req.getName()}`, {
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            dependsOn: req.getDependenciesList(),
            parent: req.getParent() || undefined,
            remote: req.getRemote() === true,
        });
        return register(req, callback);
    };
}

/** Loads index.ts afresh and waits for its outputs and for every registration it starts. */
async function runIndex(root: string, resources: readonly RecordedResource[]): Promise<Record<string, any>> {
    clearProjectModules(root);
    // The program runs from its project folder, as the CLI runs it (archives name files relative to it).
    const cwd = process.cwd();
    if (root !== ROOT) process.chdir(root);
    const outputs: Record<string, any> = {};
    try {
        const program = require(path.join(root, "index.ts")) as Record<string, unknown>;
        for (const [key, value] of Object.entries(program)) {
            outputs[key] = await promiseOf(value as pulumi.Input<unknown>);
        }
        await (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs?.();
        // Registrations started inside applies land on later turns of the event loop.
        for (let settled = 0, last = -1; settled < 3; ) {
            await new Promise((resolve) => setImmediate(resolve));
            settled = resources.length === last ? settled + 1 : 0;
            last = resources.length;
        }
    } finally {
        process.chdir(cwd);
    }
    return outputs;
}

/** The policies of the role named `roleName`: its inline policies, then the managed policies attached to it. */
export function policiesOfRole(run: ProgramRun, roleName: string): any[] {
    const managed = (arn: string) => {
        const found = run.ofType("aws:iam/policy:Policy").find((p) => p.state.arn === arn);
        if (!found) throw new Error(`${roleName} has a managed policy the stack does not define: ${arn}`);
        return policyOf(found);
    };
    return [
        ...run
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === roleName)
            .map((p) => policyOf(p)),
        ...run
            .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === roleName)
            .map((a) => managed(a.inputs.policyArn)),
    ];
}

const cleanRuns = new Map<string, Promise<ProgramRun>>();

/**
 * A run of a stack exactly as its stack file says, made once per process and shared: the
 * program is deterministic under the mocks, and callers only read the result.
 */
export function stackRun(stack: string): Promise<ProgramRun> {
    let run = cleanRuns.get(stack);
    if (!run) {
        run = runProgram(stack);
        cleanRuns.set(stack, run);
    }
    return run;
}

/** Pulumi's wire marker of a secret value, as mocks receive it. */
const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** True when an input reached the engine as a secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG.key] === SECRET_SIG.value;
}

/** Parses a policy input that the program serialized as JSON (unwrapping a secret). */
export function policyOf(resource: RecordedResource, field = "policy"): any {
    const input = resource.inputs[field];
    const raw = isSecretInput(input) ? input.value : input;
    return typeof raw === "string" ? JSON.parse(raw) : raw;
}
