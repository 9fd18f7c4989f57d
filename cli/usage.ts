/**
 * How the project's command-line tools (plan, stages, key-table, capacity, smoke, bench) answer a mistake on
 * their command line, all in one style, exit 2:
 *
 *     plan: <what is wrong>
 *     run 'npm run plan -- --help' for usage
 *
 * and `--help` prints the full usage, exit 0. When the mistake looks like npm's doing, the hint
 * says so instead: `npm run plan --stack deve` (no `--`) makes npm take `--stack` as its own
 * configuration (it sets npm_config_stack, "true" for a flag without `=`) and pass the tool
 * `deve` alone, so the hint spells out the command meant.
 */
import { parseArgs, ParseArgsConfig } from "util";

/** A mistake on the command line: the tool answers it with `usageLines`, exit 2. */
export class UsageError extends Error {}

export interface CliSpec {
    /** The npm script: `npm run <name>`. */
    readonly name: string;
    /** The tool's options, as parseArgs takes them. */
    readonly options: NonNullable<ParseArgsConfig["options"]>;
    /** The option a bare positional was probably meant for (a stage name: `stack`), if any. */
    readonly guess?: (positional: string) => string | undefined;
}

/** npm's variable for a `--name` it took as its own configuration, in either spelling it uses. */
function npmConfig(env: NodeJS.ProcessEnv, option: string): string | undefined {
    return env[`npm_config_${option}`] ?? env[`npm_config_${option.replace(/-/g, "_")}`];
}

/** The arguments that are neither options nor option values, as a lenient parse reads them. */
function positionalsOf(spec: CliSpec, argv: readonly string[]): string[] {
    try {
        return parseArgs({ args: [...argv], options: spec.options, strict: false, allowPositionals: true }).positionals;
    } catch {
        return argv.filter((a) => !a.startsWith("-"));
    }
}

/**
 * The command the user probably meant, when the mistake looks like options npm swallowed for
 * want of `--`: options npm reports taking (npm_config_<name>), or a bare positional the tool
 * would take as an option's value.
 */
export function meantCommand(spec: CliSpec, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
    const positionals = positionalsOf(spec, argv);
    const rest = [...positionals];
    const restored: string[] = [];
    for (const [option, config] of Object.entries(spec.options)) {
        if (option === "help") continue;
        const swallowed = npmConfig(env, option);
        if (swallowed === undefined) continue;
        if (config.type === "boolean") restored.push(`--${option}`);
        else if (swallowed !== "true") restored.push(`--${option}`, swallowed);
        else if (rest.length > 0) restored.push(`--${option}`, rest.shift()!);
    }
    if (restored.length === 0) {
        const option = positionals.length === 1 ? spec.guess?.(positionals[0]) : undefined;
        if (!option) return undefined;
        restored.push(`--${option}`, rest.shift()!);
    }
    // What is left over is not echoed: it may be anything, a secret included.
    const kept = argv.filter((a) => !positionals.includes(a));
    return `npm run ${spec.name} -- ${[...kept, ...restored].join(" ")}`;
}

/** The hint line under a usage error. */
export function usageHint(spec: CliSpec, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
    const meant = meantCommand(spec, argv, env);
    return meant ? `did you mean: ${meant} ? (npm needs '--' before the tool's options)` : `run 'npm run ${spec.name} -- --help' for usage`;
}

/** A usage error as the tools print it: what is wrong, then the hint; each line ends with a newline. */
export function usageLines(spec: CliSpec, message: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
    return `${spec.name}: ${message}\n${usageHint(spec, argv, env)}\n`;
}

/** parseArgs explains at length how to pass positionals; the first sentence is the point. */
export function firstSentence(message: string): string {
    return message.split("\n")[0].split(/(?<=\.) /)[0].replace(/\.$/, "");
}
