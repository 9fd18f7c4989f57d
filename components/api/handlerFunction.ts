import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";

import { checkRolePath } from "../config/naming";
import { lambdaTrustPolicy, logWritingPolicy } from "../policies/workload";
import { checkLogRetention } from "../config/logRetention";

/** The runtime every handler runs on. */
export const HANDLER_RUNTIME = "nodejs22.x";

/** The Node.js version of `HANDLER_RUNTIME`, which bundles are compiled for. */
const BUNDLE_TARGET = "node22";

/**
 * The AWS SDK for JavaScript v3, which the `nodejs22.x` runtime also provides. A handler may
 * import it without naming it in `bundledPackages`; a bundle can leave it out (`sdk: "runtime"`).
 */
export const RUNTIME_PROVIDED = /^@aws-sdk\//;

export interface HandlerFunctionArgs {
    /**
     * Runs once per container and returns the handler (`CallbackFunction`'s `callbackFactory`).
     * Export it from a project module, so that it is bundled with what it imports.
     */
    readonly callbackFactory: () => (event: never) => Promise<unknown>;
    /** One-line purpose, shown in the Lambda console. */
    readonly description: string;
    /** Environment variables. @default {} */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /**
     * Packages of `dependencies`, besides the AWS SDK (`@aws-sdk/*`), that the handler's code
     * may import: bundling fails when it imports any other, so what ships is a reviewed choice.
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

const PROJECT_ROOT = path.join(__dirname, "..", "..");

/** Where bundles are written: build output that git ignores, inside the project so archives can name it. */
const BUNDLE_DIR = path.join(PROJECT_ROOT, "bin", "handlers");

/** Names of this project's `dependencies`. */
function projectDependencies(): string[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
    };
    return Object.keys(manifest.dependencies ?? {});
}

/** Where the AWS SDK a bundle uses comes from. */
export type SdkSource = "bundled" | "runtime";

export interface HandlerCodeOptions {
    /** Packages besides the AWS SDK that the handler's code may import. @default [] */
    readonly bundledPackages?: readonly string[];
    /**
     * `bundled`: the SDK code the handler uses is compiled into its bundle, at the lockfile's
     * version, without the default credential chain. `runtime`: left out, and loaded from the
     * runtime's copy.
     * @default "bundled"
     */
    readonly sdk?: SdkSource;
    /** @default the `dependencies` of this project's package.json */
    readonly dependencies?: readonly string[];
}

/**
 * Replaces the SDK's default credential chain in bundles that carry the SDK: no handler signs
 * as the function's own role, so a client given no credentials must fail, not fall back to it.
 */
const NO_DEFAULT_CREDENTIALS = { "@aws-sdk/credential-provider-node": path.join(PROJECT_ROOT, "lambdas", "noDefaultCredentials.ts") };

export interface HandlerBundle {
    /** Path relative to the working directory: where the bundle is on disk, and in the archive. */
    readonly file: string;
    readonly bytes: number;
    /** Packages whose code the bundle holds. */
    readonly packages: readonly string[];
}

export interface HandlerCode {
    /** The inline callback `CallbackFunction` serializes into the archive's `__index.js`. */
    readonly callbackFactory: HandlerFunctionArgs["callbackFactory"];
    readonly codePathOptions: pulumi.runtime.CodePathOptions;
    /** The bundle the archive carries; none for a factory that no module exports. */
    readonly bundle?: HandlerBundle;
}

/**
 * The callback a bundled handler is deployed as. The serializer captures only `request` and
 * leaves `require` to the archive's `__index.js`, so the bundle, shipped beside it, is loaded
 * and its factory run when Lambda loads the handler module, as the factory itself would be.
 */
function loadBundle(request: string): HandlerFunctionArgs["callbackFactory"] {
    return () => require(request).handler;
}

/** The project module and export name under which a function was loaded. */
function exportOf(fn: unknown): { file: string; exportName: string } | undefined {
    const nodeModules = `${path.sep}node_modules${path.sep}`;
    // A module dropped from require.cache (a test runner reloading the program) is still the
    // child of the module that loaded it, and its exports are still what its importers hold.
    const pending = [require.main, ...Object.values(require.cache)].filter((loaded): loaded is NodeJS.Module => loaded !== undefined);
    const seen = new Set<NodeJS.Module>();
    for (let loaded = pending.pop(); loaded; loaded = pending.pop()) {
        if (seen.has(loaded)) {
            continue;
        }
        seen.add(loaded);
        pending.push(...loaded.children);
        if (!loaded.filename.startsWith(PROJECT_ROOT + path.sep) || loaded.filename.includes(nodeModules)) {
            continue;
        }
        const exports = loaded.exports as Record<string, unknown> | undefined;
        for (const exportName of Object.keys(exports ?? {})) {
            // Data properties only: a getter (a re-export) may load modules when read.
            if (Object.getOwnPropertyDescriptor(exports, exportName)?.value === fn) {
                return { file: loaded.filename, exportName };
            }
        }
    }
    return undefined;
}

/** The package a path inside node_modules belongs to. */
function packageOf(modulePath: string): string | undefined {
    const match = /^(?:.*[/\\])?node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/.exec(modulePath);
    return match?.[1].replace(/\\/g, "/");
}

interface Built {
    readonly absolute: string;
    readonly contents: Uint8Array;
    readonly packages: string[];
    /** Packages the project's own files import. */
    readonly imported: string[];
    /** The project files bundled, with their size and modification time then. */
    readonly sources: { readonly file: string; readonly stamp: string }[];
}

function fileStamp(file: string): string {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat ? `${stat.size} ${stat.mtimeMs}` : "gone";
}

/**
 * Builds by entry, shared by every load of this module in a process: the tests and
 * `npm run plan` reload the program once per stack, and would otherwise bundle again each
 * time. An entry is reused while the project files it was built from are unchanged.
 */
const builds = ((globalThis as Record<symbol, unknown>)[Symbol.for("federated-access/handler-bundles")] ??= new Map()) as Map<string, Built>;

function build(source: { file: string; exportName: string }, sdk: SdkSource, what: string): Built {
    const key = JSON.stringify([source.file, source.exportName, sdk]);
    const cached = builds.get(key);
    if (cached && cached.sources.every(({ file, stamp }) => stamp === fileStamp(file))) {
        return cached;
    }
    let result: esbuild.BuildResult<{ write: false; metafile: true }>;
    try {
        result = esbuild.buildSync({
            stdin: {
                contents: `import { ${source.exportName} as callbackFactory } from ${JSON.stringify(source.file)};\nexport const handler = callbackFactory();\n`,
                resolveDir: PROJECT_ROOT,
                sourcefile: "handler.ts",
                loader: "ts",
            },
            absWorkingDir: PROJECT_ROOT,
            bundle: true,
            platform: "node",
            target: BUNDLE_TARGET,
            format: "cjs",
            // ES module builds first: esbuild can drop what a handler does not use only from those.
            mainFields: ["module", "main"],
            // `import()` of a module outside the bundle (node:http, in the SDK's transport) as
            // `require`: in a CommonJS file a real `import()` starts Node's ES module loader first,
            // tens of milliseconds of a cold start that plain `require` does not cost.
            supported: { "dynamic-import": false },
            minify: true,
            external: sdk === "runtime" ? ["@aws-sdk/*"] : [],
            alias: sdk === "bundled" ? NO_DEFAULT_CREDENTIALS : {},
            metafile: true,
            write: false,
            logLevel: "silent",
        });
    } catch (error) {
        const messages = ((error as { errors?: esbuild.Message[] }).errors ?? []).map((m) => m.text);
        throw new Error(`HandlerFunction: bundling ${what} failed: ${messages.join("; ") || (error as Error).message}`);
    }
    const packages = new Set<string>();
    const imported = new Set<string>();
    const sources: { file: string; stamp: string }[] = [];
    for (const [input, info] of Object.entries(result.metafile.inputs)) {
        const pkg = packageOf(input);
        if (pkg !== undefined) {
            packages.add(pkg);
            continue;
        }
        if (input !== "<stdin>") {
            const file = path.resolve(PROJECT_ROOT, input);
            sources.push({ file, stamp: fileStamp(file) });
        }
        for (const { path: target, external } of info.imports) {
            // External: a built-in, the runtime's SDK, or a type-only relative import esbuild dropped.
            const bare = external && !target.startsWith(".") && !target.startsWith("node:") && !builtinModules.includes(target);
            const dependency = bare ? target.split("/").slice(0, target.startsWith("@") ? 2 : 1).join("/") : packageOf(target);
            if (dependency !== undefined) {
                imported.add(dependency);
            }
        }
    }
    const pulumiCode = [...packages].filter((pkg) => pkg.startsWith("@pulumi/"));
    if (pulumiCode.length > 0) {
        throw new Error(`HandlerFunction: ${what} would bundle Pulumi code (${pulumiCode.join(", ")}); a handler must not import @pulumi/*`);
    }
    const contents = result.outputFiles[0].contents;
    const digest = createHash("sha256").update(contents).digest("hex").slice(0, 16);
    const built = {
        absolute: path.join(BUNDLE_DIR, `${source.exportName}.${digest}.js`),
        contents,
        packages: [...packages].sort(),
        imported: [...imported].sort(),
        sources,
    };
    builds.set(key, built);
    return built;
}

/**
 * Whether `file` is a regular file (not a link) holding exactly `contents`. Read through one
 * descriptor opened without following a link, so the bytes compared are the file's own.
 */
function holds(file: string, contents: Uint8Array): boolean {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch {
        return false; // absent, a link (ELOOP), or unreadable: written anew
    }
    try {
        const stat = fs.fstatSync(fd);
        return stat.isFile() && stat.size === contents.length && fs.readFileSync(fd).equals(contents);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Puts the bundle at its path, so that the archive carries exactly the bytes esbuild produced in
 * this run. A file already at that path is never trusted for its name: `bin/` is ignored by git,
 * but `git add -f` or a stale or altered workspace can leave anything there. It is kept only if
 * it is a regular file holding those very bytes, and otherwise replaced: written to a new file
 * of its own in the same folder, then renamed over the path. Concurrent runs write the same
 * bytes under the same name (the name's digest is of those bytes), and a reader never sees half
 * a file. Checked on every call, since a build is reused from memory while its file may change.
 */
function writeBundle(built: Built): void {
    if (holds(built.absolute, built.contents)) {
        return;
    }
    const shown = path.relative(PROJECT_ROOT, built.absolute);
    const partial = `${built.absolute}.${process.pid}.${randomBytes(8).toString("hex")}.partial`;
    let created = false;
    try {
        fs.mkdirSync(path.dirname(built.absolute), { recursive: true });
        // "wx": fails rather than follow or reuse anything already at the temporary name.
        fs.writeFileSync(partial, built.contents, { flag: "wx" });
        created = true;
        fs.renameSync(partial, built.absolute);
    } catch (error) {
        if (created) {
            fs.rmSync(partial, { force: true });
        }
        throw new Error(`HandlerFunction: writing the bundle ${shown} failed: ${(error as Error).message}`);
    }
    if (!holds(built.absolute, built.contents)) {
        throw new Error(`HandlerFunction: ${shown} does not hold the bundle just written to it; something else is writing to ${path.dirname(shown)}`);
    }
}

/**
 * What `CallbackFunction` needs to deploy `callbackFactory`: the factory's module, with the
 * project code and packages it reaches, compiled by esbuild into one minified file that keeps
 * only what the handler uses, and an inline callback that loads it. No package folder ships.
 * A factory that no project module exports (an inline closure) cannot be bundled: it is
 * serialized as it stands, and its archive carries no package.
 */
export function handlerCode(callbackFactory: HandlerFunctionArgs["callbackFactory"], options: HandlerCodeOptions = {}): HandlerCode {
    const dependencies = options.dependencies ?? projectDependencies();
    const allowed = options.bundledPackages ?? [];
    for (const pkg of allowed) {
        if (!dependencies.includes(pkg)) {
            throw new Error(`bundledPackages: '${pkg}' is not in package.json dependencies`);
        }
    }
    const excluded = { extraExcludePackages: [...dependencies] };
    const source = exportOf(callbackFactory);
    if (!source) {
        return { callbackFactory, codePathOptions: excluded };
    }
    const what = `${source.exportName} (${path.relative(PROJECT_ROOT, source.file)})`;
    const built = build(source, options.sdk ?? "bundled", what);
    for (const pkg of built.imported) {
        if (!dependencies.includes(pkg)) {
            throw new Error(`HandlerFunction: ${what} imports '${pkg}', which is not in package.json dependencies`);
        }
        if (!RUNTIME_PROVIDED.test(pkg) && !allowed.includes(pkg)) {
            throw new Error(`HandlerFunction: ${what} imports '${pkg}', which is not in bundledPackages`);
        }
    }
    const file = path.relative(process.cwd(), built.absolute).split(path.sep).join("/");
    if (file.startsWith("../") || path.isAbsolute(file)) {
        throw new Error(`HandlerFunction: run the program from its project folder ${PROJECT_ROOT}, not ${process.cwd()}: archives name files relative to it`);
    }
    writeBundle(built);
    return {
        callbackFactory: loadBundle(`./${file}`),
        codePathOptions: { ...excluded, extraIncludePaths: [file] },
        bundle: { file, bytes: built.contents.length, packages: built.packages },
    };
}

/**
 * A Lambda function built from an inline callback, with what `CallbackFunction` does not do
 * by default: its own execution role that may only write its own log group (no managed
 * policies), a log group with retention, an explicit runtime and an archive holding the
 * handler as one bundle of only the code it uses (`handlerCode`).
 */
export class HandlerFunction extends pulumi.ComponentResource {
    public readonly function: aws.lambda.CallbackFunction<never, unknown>;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly arn: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:compute:HandlerFunction", name, {}, opts);
        const retention = checkLogRetention(`HandlerFunction '${name}'`, args.logRetentionDays);
        const timeout = args.timeoutSeconds ?? 10;
        if (!Number.isInteger(timeout) || timeout < 1 || timeout > 29) {
            // API Gateway gives up after 29 seconds; a longer function only burns money.
            throw new Error(`HandlerFunction '${name}': timeoutSeconds must be an integer from 1 to 29, got '${timeout}'`);
        }
        checkRolePath(`HandlerFunction '${name}'`, args.rolePath);
        const code = handlerCode(args.callbackFactory, { bundledPackages: args.bundledPackages });

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
                callbackFactory: code.callbackFactory,
                name: args.functionName,
                description: args.description,
                role: this.role,
                runtime: HANDLER_RUNTIME,
                architectures: ["arm64"],
                memorySize: args.memorySizeMb ?? 256,
                timeout,
                environment: { variables: args.environment ?? {} },
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
                codePathOptions: code.codePathOptions,
                tags: args.tags,
            },
            { parent: this, dependsOn: [logging] },
        );
        this.arn = this.function.arn;
        this.functionName = this.function.name;
        this.registerOutputs({ arn: this.arn, functionName: this.functionName, roleArn: this.role.arn });
    }
}
