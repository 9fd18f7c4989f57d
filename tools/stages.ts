/**
 * `npm run --silent stages -- [--tier development|production] [--format text|json]`: the stages
 * the workflows deploy, read from the stack files (`Pulumi.<stage>.yaml`) in deploy order, so that
 * a new stage is its stack file and nothing else. Each stage's region is its own `aws:region`, its
 * GitHub environments are its `githubDeployEnvironment` and `<that>-smoke`, and its preview role
 * is the repository variable `CI_PREVIEW_ROLE_ARN_<STAGE>`.
 *
 * Only stages with CI roles (a `githubRepository`) are listed: the others are deployed by hand.
 * A stack file the workflows could not run (a stage name or tier the program refuses, no region,
 * no deploy environment) is an error naming the file, so a workflow stops before it deploys anything.
 *
 * Exit codes: 0 listed; 2 a usage error (what is wrong and a hint, cli/usage.ts) or a stack
 * file the workflows cannot run.
 */
import { parseArgs } from "util";

import { smokeEnvironmentOf } from "../components/ci/githubCi";
import { parseStage, TIERS } from "../components/config/stage";
import { projectFile, ROOT, stackConfig, stacksInDeployOrder } from "./mockRun";
import { CliSpec, firstSentence, usageLines } from "../cli/usage";

export interface WorkflowStage {
    readonly stage: string;
    readonly tier: string;
    readonly region: string;
    /** The deploy job's GitHub environment, which the stage's deploy role trusts. */
    readonly environment: string;
    /** The smoke job's GitHub environment, which the stage's smoke role trusts. */
    readonly smokeEnvironment: string;
    /** The repository variable holding the stage's preview role ARN. */
    readonly previewRoleVariable: string;
}

const USAGE = `usage: npm run --silent stages -- [--tier development|production] [--format text|json]

Lists the stages the workflows deploy, from the stack files Pulumi.<stage>.yaml, in deploy order.
  --tier <tier>     only the stages of that tier (the stack file's tier key)
  --format json     a JSON array of {stage, tier, region, environment, smokeEnvironment, previewRoleVariable}`;

/** The stages of a tree that the workflows deploy, in deploy order; throws naming every stack file they cannot run. */
export function workflowStages(root = ROOT): WorkflowStage[] {
    const project = projectFile(root).name;
    const problems: string[] = [];
    const stages: WorkflowStage[] = [];
    for (const stack of stacksInDeployOrder(root)) {
        const config = stackConfig(stack, root);
        const file = `Pulumi.${stack}.yaml`;
        if (!config[`${project}:githubRepository`]) continue;
        try {
            parseStage(stack);
        } catch (e) {
            problems.push(`${file}: ${(e as Error).message}`);
            continue;
        }
        const tier = config[`${project}:tier`] ?? "";
        const region = config["aws:region"] ?? "";
        const environment = config[`${project}:githubDeployEnvironment`] ?? "";
        if (!(TIERS as readonly string[]).includes(tier)) problems.push(`${file}: '${project}:tier' must be one of ${TIERS.join(", ")}, got '${tier}'`);
        if (!region) problems.push(`${file}: 'aws:region' is missing: the workflows take each stage's region from its stack file`);
        if (!environment) {
            problems.push(`${file}: '${project}:githubDeployEnvironment' is missing: the deploy workflow runs each stage's deploy job in its GitHub environment (docs/operations.md, "Adding a stage")`);
        }
        stages.push({
            stage: stack,
            tier,
            region,
            environment,
            smokeEnvironment: smokeEnvironmentOf({ deployEnvironment: environment }),
            previewRoleVariable: `CI_PREVIEW_ROLE_ARN_${stack.toUpperCase()}`,
        });
    }
    // Two stages in one environment would share a deploy subject: each pipeline could deploy the other.
    for (const [index, s] of stages.entries()) {
        const earlier = stages.slice(0, index).find((o) => o.environment !== "" && (o.environment === s.environment || o.smokeEnvironment === s.environment || o.environment === s.smokeEnvironment));
        if (earlier) problems.push(`Pulumi.${s.stage}.yaml: its GitHub environments (${s.environment}, ${s.smokeEnvironment}) overlap Pulumi.${earlier.stage}.yaml's (${earlier.environment}, ${earlier.smokeEnvironment}): each stage needs environments of its own`);
    }
    if (problems.length > 0) throw new Error(`the workflows cannot run these stack files:\n  - ${problems.join("\n  - ")}`);
    return stages;
}

const FORMATS = ["text", "json"];

/** The stages listing as a command line: a tier or a format alone was meant for its option. */
export const STAGES_CLI: CliSpec = {
    name: "stages",
    options: { tier: { type: "string" }, format: { type: "string" }, help: { type: "boolean", short: "h" } },
    guess: (positional) => ((TIERS as readonly string[]).includes(positional) ? "tier" : FORMATS.includes(positional) ? "format" : undefined),
};

/**
 * Lists the stages; returns the exit code. A mistake on the command line is answered in two
 * lines, what is wrong and a hint (cli/usage.ts).
 */
export function main(
    argv: readonly string[],
    out: (line: string) => void = console.log,
    err: (line: string) => void = console.error,
    env: NodeJS.ProcessEnv = process.env,
): number {
    const usageError = (message: string) => {
        err(usageLines(STAGES_CLI, message, argv, env).trimEnd());
        return 2;
    };
    let values: { tier?: string; format?: string; help?: boolean };
    try {
        ({ values } = parseArgs({ args: [...argv], options: STAGES_CLI.options, strict: true }) as { values: typeof values });
    } catch (e) {
        return usageError(firstSentence((e as Error).message));
    }
    if (values.help) {
        out(USAGE);
        return 0;
    }
    const format = values.format ?? "text";
    if (!FORMATS.includes(format)) return usageError(`--format must be text or json, got '${format}'`);
    if (values.tier !== undefined && !(TIERS as readonly string[]).includes(values.tier)) return usageError(`--tier must be one of ${TIERS.join(", ")}, got '${values.tier}'`);
    let stages: WorkflowStage[];
    try {
        stages = workflowStages().filter((s) => values.tier === undefined || s.tier === values.tier);
    } catch (e) {
        err(`stages: ${(e as Error).message}`);
        return 2;
    }
    if (format === "json") out(JSON.stringify(stages));
    else for (const s of stages) out(`${s.stage}\t${s.tier}\t${s.region}\t${s.environment}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
