/**
 * `npm run plan -- --stack <stage> | --all [--base <git ref>] [--format text|json|markdown] [--write-expected]`
 *
 * Runs the real program for every stack on Pulumi's mock engine (no cloud account, no CLI)
 * and prints, for the stacks asked for, what it would create grouped by component with each
 * resource's key settings, the stack outputs, and who can reach what: every person of the
 * access model × every capability of the stack, each allowed cell with the chain that gets
 * there, decided by the IAM policy engine over the synthesized policies of all stacks placed
 * in one account. `--write-expected` records the reviewed expectation the tests compare with.
 * `--base <ref>` reviews the change from that revision instead (analysis/changes.ts).
 *
 * Exit codes: 0 every promise holds; 1 a promise is broken; 2 nothing was planned (usage,
 * missing stack file, refused configuration, internal error; `preplan` exits 2 too when the
 * development dependencies are missing).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";

import { AccessReport, accessReport, columnsOf, expectationOf, formatViolation } from "../analysis/access";
import { stackChange, StackChange } from "../analysis/changes";
import { ChangeApplier } from "../analysis/ciRights";
import { isStage, SHIPPED_STAGES } from "../components/config/stage";
import { BaseTree, changedAnalysisFiles, checkoutBase, providerVersion } from "./baseTree";
import { ACCOUNT_ID, isSecretInput, policiesOfRole, ProgramRun, RecordedResource, ROOT, runProgram, StackFileError, stackNames, stacksInDeployOrder } from "./mockRun";
import { CliSpec, firstSentence, usageLines, UsageError } from "../cli/usage";

/** The reviewed reach of every person, one table per stack. */
export const EXPECTED_REACH_FILE = path.join(ROOT, "tests", "expected", "reach.json");

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: npm run plan -- (--stack <stage> ... | --all) [--base <git ref> [--refuse-admin-changes]] [--format text|json|markdown] [--write-expected]

Runs the program of each stack on Pulumi's mock engine and prints its resources, outputs and
who can reach what (no AWS account or Pulumi CLI needed). The stacks are the stack files
Pulumi.<stage>.yaml beside Pulumi.yaml.

options:
  --stack <stage>          a stack to print (repeat for several)
  --all                    every stack
  --base <git ref>         review the change from that revision to the working tree instead:
                           per stack, resources created/updated/replaced/deleted, data at risk,
                           access gained, lost or allowed on other terms, and calls the
                           stage's deploy role cannot make
  --refuse-admin-changes   with --base: exit 3 when the change needs an administrator
  --format <format>        text (default), json, or markdown (for a pull-request comment)
  --write-expected         record the printed reach as the reviewed expectation of the tests
  -h, --help               this help

examples:
  npm run plan -- --stack deve
  npm run plan -- --all --base origin/main
  npm run --silent plan -- --all --format markdown >> "$GITHUB_STEP_SUMMARY"
  npm run --silent plan -- --stack prod --format json > plan.json

Output read by a program: run it as \`npm run --silent plan -- …\`, or npm's own lines
("> federated-access@… plan") land on stdout ahead of it.

Every stack is run, whichever are printed: who reaches what depends on all of them. Needs the
development dependencies.

exit codes: 0 every promise holds; 1 a promise is broken (listed under "Broken promises");
2 nothing was planned: a usage error, a missing development dependency, a missing stack file,
an unknown --base, a stack configuration the program refuses, or an internal error;
3 (--refuse-admin-changes) the change needs an administrator (each call printed on stderr).
`;

interface PlannedResource {
    readonly type: string;
    readonly name: string;
    readonly settings: Record<string, unknown>;
}

interface StackPlan {
    readonly stack: string;
    readonly components: { readonly type: string; readonly name: string; readonly resources: PlannedResource[] }[];
    readonly outputs: Record<string, unknown>;
}

/** The settings of a resource a reviewer looks at first. */
function keySettings(resource: RecordedResource): Record<string, unknown> {
    const i = resource.inputs;
    const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => i[k] !== undefined).map((k) => [k, i[k]]));
    const options = { ...(resource.options.protect ? { protect: true } : {}), ...(resource.options.retainOnDelete ? { retainOnDelete: true } : {}) };
    switch (resource.type) {
        case "aws:cognito/userPool:UserPool":
            return {
                adminCreateOnly: i.adminCreateUserConfig?.allowAdminCreateUserOnly,
                mfa: i.mfaConfiguration,
                minPasswordLength: i.passwordPolicy?.minimumLength,
                deletionProtection: i.deletionProtection,
                ...options,
            };
        case "aws:cognito/userPoolClient:UserPoolClient":
            return pick("generateSecret", "explicitAuthFlows", "idTokenValidity", "accessTokenValidity", "tokenValidityUnits");
        case "aws:cognito/identityPool:IdentityPool":
            return pick("allowUnauthenticatedIdentities", "allowClassicFlow");
        case "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment":
            return {
                rules: (i.roleMappings ?? []).flatMap((m: any) =>
                    (m.mappingRules ?? []).map((r: any) => `${r.claim} ${r.matchType} ${r.value} -> ${String(r.roleArn).split("/").pop()}`),
                ),
                ambiguous: i.roleMappings?.[0]?.ambiguousRoleResolution,
            };
        case "aws:s3/bucket:Bucket":
            return { ...pick("forceDestroy"), ...options };
        case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            return pick("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets");
        case "aws:iam/role:Role":
            return { name: resource.state.name, boundary: i.permissionsBoundary ? String(i.permissionsBoundary).split("/").pop() : undefined, maxSessionDuration: i.maxSessionDuration };
        case "aws:iam/rolePolicy:RolePolicy":
        case "aws:iam/policy:Policy":
            return {
                actions: isSecretInput(i.policy) ? "[secret]" : [...new Set((JSON.parse(i.policy).Statement as any[]).flatMap((s) => [].concat(s.Action ?? s.NotAction)))].length + " actions",
            };
        case "aws:lambda/function:Function":
            return pick("name", "runtime", "architectures", "memorySize", "timeout");
        case "aws:cloudwatch/logGroup:LogGroup":
            return pick("name", "retentionInDays");
        case "aws:cloudtrail/trail:Trail":
            return pick("name", "isMultiRegionTrail", "enableLogFileValidation");
        default:
            return {};
    }
}

function planOf(run: ProgramRun): StackPlan {
    const components = run.resources.filter((r) => !r.custom);
    const ownerOf = (resource: RecordedResource) =>
        components
            .filter((c) => resource.name.startsWith(`${c.name}-`))
            .sort((a, b) => b.name.length - a.name.length)[0];
    return {
        stack: run.stack,
        components: components.map((component) => ({
            type: component.type,
            name: component.name,
            resources: run.resources
                .filter((r) => r.custom && ownerOf(r) === component)
                .map((r) => ({ type: r.type, name: r.name, settings: keySettings(r) })),
        })),
        outputs: Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, isSecretInput(v) ? "[secret]" : v])),
    };
}

const compact = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** What an output not set for this stack (none exported: no audit trail, no CI roles) shows. */
export const NOT_SET = "(not set)";

/** An output's value as the text and markdown formats show it. */
export function outputCell(value: unknown, md: boolean): string {
    if (value === undefined) {
        return NOT_SET;
    }
    return md ? `\`${compact(value)}\`` : compact(value);
}
const mark = (cell: string, md: boolean) => (cell === "Denied" ? "·" : cell === "Allowed" ? (md ? "✅" : "Y") : md ? "⏳" : "t");

function renderReach(report: AccessReport, stage: string, md: boolean): string[] {
    const columns = columnsOf(report, stage);
    const lines: string[] = [];
    if (md) {
        lines.push("### Who reaches what", "", `| person | ${columns.map((c) => c.replace(`${stage}: `, "")).join(" | ")} |`, `| --- | ${columns.map(() => ":-:").join(" | ")} |`);
        lines.push(...report.rows.map((r) => `| ${r.person} | ${columns.map((c) => mark(r.cells[c], true)).join(" | ")} |`), "", "✅ allowed · ⏳ allowed until an IdToken issued before a change expires", "");
        lines.push("<details><summary>How each person gets there</summary>", "");
        for (const row of report.rows) {
            for (const column of columns.filter((c) => row.chains[c])) {
                lines.push(`- **${row.person}** → ${column}: ${row.chains[column].join(" → ")}`);
            }
        }
        lines.push("", "</details>", "");
    } else {
        const width = Math.max(...report.rows.map((r) => r.person.length));
        lines.push("  Who reaches what (Y = allowed, t = until an IdToken issued before a change expires, . = denied)");
        lines.push(`    ${"".padEnd(width)} ${columns.map((_, i) => String(i + 1).padStart(3)).join("")}`);
        lines.push(...report.rows.map((r) => `    ${r.person.padEnd(width)} ${columns.map((c) => mark(r.cells[c], false).replace("·", ".").padStart(3)).join("")}`), "");
        lines.push(...columns.map((c, i) => `    ${String(i + 1).padStart(3)}  ${c}`), "", "  How each person gets there");
        for (const row of report.rows) {
            for (const column of columns.filter((c) => row.chains[c])) {
                lines.push(`    ${row.person} → ${column}: ${row.chains[column].join(" → ")}`);
            }
        }
        lines.push("");
    }
    const broken = report.violations.filter((v) => v.column.startsWith(`${stage}: `) || !v.column.includes(": "));
    lines.push(md ? `**Broken promises: ${broken.length}**` : `  Broken promises: ${broken.length}`);
    lines.push(...broken.map((v) => `${md ? "- " : "    "}${formatViolation(v)}`), "");
    return lines;
}

function render(plans: StackPlan[], report: AccessReport, format: Format): string {
    if (format === "json") {
        return JSON.stringify(
            {
                stacks: plans.map((plan) => ({ ...plan, reach: expectationOf(report, plan.stack) })),
                people: report.rows,
                violations: report.violations,
                escalationMethods: report.escalationMethods,
            },
            null,
            2,
        );
    }
    const md = format === "markdown";
    const lines: string[] = [];
    for (const plan of plans) {
        lines.push(md ? `## Stack \`${plan.stack}\`` : `Stack ${plan.stack}`, "");
        for (const component of plan.components) {
            lines.push(md ? `### ${component.name} (\`${component.type}\`)` : `  ${component.name}  (${component.type})`);
            if (md) {
                lines.push("", "| resource | type | key settings |", "| --- | --- | --- |");
            }
            for (const r of component.resources) {
                const settings = Object.entries(r.settings)
                    .filter(([, v]) => v !== undefined)
                    .map(([k, v]) => `${k}=${compact(v)}`)
                    .join(" ");
                lines.push(md ? `| ${r.name} | \`${r.type}\` | ${settings} |` : `    ${r.name.padEnd(30)} ${r.type.padEnd(62)} ${settings}`);
            }
            lines.push("");
        }
        lines.push(md ? "### Outputs\n\n| output | value |\n| --- | --- |" : "  Outputs");
        for (const [key, value] of Object.entries(plan.outputs)) {
            lines.push(md ? `| ${key} | ${outputCell(value, true)} |` : `    ${key.padEnd(26)} ${outputCell(value, false)}`);
        }
        lines.push("");
        lines.push(...renderReach(report, plan.stack, md));
    }
    lines.push(md ? `_${report.escalationMethods.length} escalation methods modelled._` : `Escalation methods modelled: ${report.escalationMethods.length}`);
    return lines.join("\n");
}


interface Chosen {
    /** Stacks asked for; `all`: every stack of the tree (and of the base). */
    readonly stacks: string[] | "all";
    readonly format: Format;
    readonly writeExpected: boolean;
    readonly base?: string;
    readonly refuseAdminChanges: boolean;
}

const OPTIONS = {
    stack: { type: "string", multiple: true },
    all: { type: "boolean" },
    format: { type: "string" },
    base: { type: "string" },
    "refuse-admin-changes": { type: "boolean" },
    "write-expected": { type: "boolean" },
    help: { type: "boolean", short: "h" },
} satisfies ParseArgsConfig["options"];

/** The plan as a command line: a stage name alone was meant for --stack. */
export const PLAN_CLI: CliSpec = { name: "plan", options: OPTIONS, guess: (positional) => (isStage(positional) ? "stack" : undefined) };

function options(argv: string[]): Chosen | "help" {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
    } catch (error) {
        throw new UsageError(firstSentence((error as Error).message));
    }
    if (parsed.help) return "help";
    const format = parsed.format ?? "text";
    if (!(FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`);
    }
    for (const stack of parsed.stack ?? []) {
        if (!isStage(stack)) throw new UsageError(`'${stack}' cannot be a stack: a stack is named by its stage (2-8 lowercase letters and digits, e.g. ${SHIPPED_STAGES.join(", ")})`);
    }
    const stacks = parsed.all ? "all" : [...new Set(parsed.stack ?? [])];
    if (stacks.length === 0) throw new UsageError("name a stack with --stack <stage>, or use --all");
    if (parsed["refuse-admin-changes"] && parsed.base === undefined) throw new UsageError("--refuse-admin-changes judges a change: give --base <git ref>");
    if (parsed.base !== undefined && parsed["write-expected"]) throw new UsageError("--write-expected records the working tree's reach: run it without --base");
    return { stacks, format: format as Format, writeExpected: parsed["write-expected"] === true, base: parsed.base, refuseAdminChanges: parsed["refuse-admin-changes"] === true };
}

/**
 * The stack files of `asked` missing from `root` (every stack when none is asked), as one line
 * saying which and how to create them; none missing: undefined.
 */
export function missingStackFiles(root = ROOT, asked: readonly string[] = []): string | undefined {
    const present = stackNames(root);
    if (present.length === 0) {
        return `no stack file in ${path.relative(process.cwd(), root) || "."}: a stack is a file Pulumi.<stage>.yaml beside Pulumi.yaml (restore the shipped ones with git checkout -- ${SHIPPED_STAGES.map((s) => `Pulumi.${s}.yaml`).join(" ")})`;
    }
    const missing = asked.filter((stage) => !present.includes(stage));
    if (missing.length === 0) {
        return undefined;
    }
    const files = missing.map((stage) => path.relative(process.cwd(), path.join(root, `Pulumi.${stage}.yaml`)) || `Pulumi.${stage}.yaml`);
    return (
        `no stack file ${files.join(", ")}: the stacks are ${present.join(", ")}. A new stage is a new stack file: write ${missing.length > 1 ? "each" : "it"} with the keys of ` +
        `the configuration reference, docs/configuration.md (pulumi config set --stack ${missing[0]} <key> <value> writes it)`
    );
}

/** Where the plan writes: the process's streams, or a test's. */
export interface PlanIo {
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Runs every stack of a tree; the first refusal ends it with the stack's name. */
async function runAll(root: string, stacks: readonly string[], progress: (line: string) => void, label: string): Promise<ProgramRun[]> {
    const runs: ProgramRun[] = [];
    for (const stack of stacks) {
        progress(`plan: running the program of stack ${stack}${label} on the mock engine…`);
        try {
            runs.push(await runProgram(stack, { root }));
        } catch (error) {
            throw new StackError(`stack '${stack}'${label}: ${(error as Error).message}`);
        }
    }
    return runs;
}

class StackError extends Error {}

/** The stage's deploy role as a run deploys it: what applies the next change. */
export function applierOf(base: ProgramRun | undefined, head: ProgramRun | undefined): ChangeApplier {
    const deployArn = base?.outputs.ciDeployRoleArn as string | undefined;
    return {
        account: ACCOUNT_ID,
        deploy: base && deployArn ? { arn: deployArn, policies: policiesOfRole(base, deployArn.split("/").pop() as string) } : undefined,
        boundaryArn: String((head ?? base)?.outputs.permissionsBoundaryArn ?? ""),
    };
}

function renderChanges(changes: readonly StackChange[], md: boolean, baseLabel: string): string[] {
    const lines: string[] = [md ? `## Change review against ${baseLabel}` : `Change review against ${baseLabel}`, ""];
    const list = (title: string, items: readonly string[]) => {
        lines.push(md ? `**${title}: ${items.length}**` : `  ${title}: ${items.length}`);
        lines.push(...items.map((item) => (md ? `- ${item}` : `    ${item}`)));
    };
    for (const change of changes) {
        lines.push(md ? `### Stack \`${change.stack}\`` : `Stack ${change.stack}`);
        if (md) lines.push("");
        const counts = (["create", "update", "replace", "delete"] as const).map((a) => `${change.resources.filter((r) => r.action === a).length} to ${a}`).join(", ");
        lines.push(md ? `Resources: ${counts}` : `  Resources: ${counts}`);
        lines.push(...change.resources.map((r) => (md ? `- ${r.action} \`${r.type}\` ${r.name}` : `    ${r.action.padEnd(8)} ${r.type} ${r.name}`)));
        list("Data at risk", change.dataAtRisk);
        list("Access gained", change.access.gained);
        list("Access lost", change.access.lost);
        list("Access allowed on other terms", change.access.changed);
        list("Needs an administrator", change.needsAdministrator.map((n) => `${n.resource}: ${n.calls.join("; ")}`));
        lines.push("");
    }
    return lines;
}

/**
 * Runs the plan; resolves with its exit code (see USAGE). A mistake on the command line is
 * answered in two lines, what is wrong and a hint (cli/usage.ts).
 * @param root the tree whose stacks are planned. @default ROOT
 * @param env where npm reports options it took for itself. @default process.env
 */
export async function main(argv: string[], io: PlanIo = process, root = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    let chosen;
    try {
        chosen = options(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr.write(usageLines(PLAN_CLI, error.message, argv, env));
            return 2;
        }
        throw error;
    }
    if (chosen === "help") {
        io.stdout.write(USAGE);
        return 0;
    }
    // A set-up problem, not a mistake on the command line: one line, no usage.
    const missing = missingStackFiles(root, chosen.stacks === "all" ? [] : chosen.stacks);
    if (missing) {
        io.stderr.write(`plan: ${missing}\n`);
        return 2;
    }
    const progress = (line: string) => {
        if (io.stderr.isTTY) io.stderr.write(`${line}\n`);
    };
    let base: BaseTree | undefined;
    try {
        if (chosen.base !== undefined) base = checkoutBase(chosen.base, root);
    } catch (error) {
        io.stderr.write(`plan: ${(error as Error).message}\n`);
        return 2;
    }
    try {
        return await plan(chosen, io, root, progress, base);
    } catch (error) {
        if (error instanceof StackError || error instanceof StackFileError) {
            io.stderr.write(`plan: ${error.message}\n`);
            return 2;
        }
        throw error;
    } finally {
        base?.dispose();
    }
}

async function plan(chosen: Chosen, io: PlanIo, root: string, progress: (line: string) => void, base: BaseTree | undefined): Promise<number> {
    // The people model needs every stack: a pipeline or a user of one stage must not reach another.
    const headStacks = stacksInDeployOrder(root);
    const runs = await runAll(root, headStacks, progress, "");
    progress("plan: deciding who reaches what…");
    const report = await accessReport(runs, ACCOUNT_ID);
    const baseStacks = base ? stacksInDeployOrder(base.root) : [];
    const asked = chosen.stacks === "all" ? [...new Set([...headStacks, ...baseStacks])] : chosen.stacks;

    let changes: StackChange[] | undefined;
    let analysisChanged: string[] = [];
    if (base) {
        const baseRuns = await runAll(base.root, baseStacks, progress, ` at ${chosen.base}`);
        progress("plan: deciding who reached what before the change…");
        const baseReport = baseRuns.length > 0 ? await accessReport(baseRuns, ACCOUNT_ID) : undefined;
        changes = [];
        for (const stack of asked) {
            const [before, after] = [baseRuns.find((r) => r.stack === stack), runs.find((r) => r.stack === stack)];
            changes.push(await stackChange(stack, before, after, { base: before ? baseReport : undefined, head: after ? report : undefined }, applierOf(before, after)));
        }
        analysisChanged = changedAnalysisFiles(base.root, root);
        if (analysisChanged.length > 0) {
            io.stderr.write(`plan: this change edits the analysis that judges it (${analysisChanged.join(", ")}): its verdicts are the edited analysis's; review those files' diff\n`);
        }
        const [was, is] = [providerVersion(base.root), providerVersion(root)];
        if (was !== is) io.stderr.write(`plan: @pulumi/aws ${was ?? "(none)"} at the base, ${is ?? "(none)"} here: both were run with ${is}; read the provider's release notes for what its upgrade changes\n`);
    }

    const plans = runs.filter((r) => asked.includes(r.stack)).map(planOf);
    if (chosen.format === "json") {
        const rendered = JSON.parse(render(plans, report, "json")) as Record<string, unknown>;
        io.stdout.write(`${JSON.stringify(changes ? { base: { ref: chosen.base, commit: base?.commit }, analysisChanged, changes, ...rendered } : rendered, null, 2)}\n`);
    } else if (changes) {
        const md = chosen.format === "markdown";
        const lines = renderChanges(changes, md, `${chosen.base} (${base?.commit.slice(0, 12)})`);
        if (analysisChanged.length > 0) {
            const note = "The analysis that judges this change is edited by it, so the verdicts below are the edited analysis's: review these files' diff";
            lines.splice(2, 0, md ? `**${note}:** ${analysisChanged.map((f) => `\`${f}\``).join(", ")}` : `  ${note}: ${analysisChanged.join(", ")}`, "");
        }
        for (const stack of asked.filter((s) => headStacks.includes(s))) {
            const broken = report.violations.filter((v) => v.column.startsWith(`${stack}: `) || !v.column.includes(": "));
            lines.push(md ? `Broken promises in \`${stack}\` after the change: ${broken.length}` : `Broken promises in ${stack} after the change: ${broken.length}`);
            lines.push(...broken.map((v) => `${md ? "- " : "    "}${formatViolation(v)}`));
        }
        io.stdout.write(`${lines.join("\n")}\n`);
    } else {
        io.stdout.write(`${render(plans, report, chosen.format)}\n`);
    }
    if (chosen.writeExpected) {
        const expected = fs.existsSync(EXPECTED_REACH_FILE) ? JSON.parse(fs.readFileSync(EXPECTED_REACH_FILE, "utf8")) : {};
        for (const stack of asked) {
            expected[stack] = expectationOf(report, stack);
        }
        fs.mkdirSync(path.dirname(EXPECTED_REACH_FILE), { recursive: true });
        fs.writeFileSync(EXPECTED_REACH_FILE, `${JSON.stringify(expected, null, 2)}\n`);
        io.stderr.write(`plan: wrote the reach of ${asked.join(", ")} to ${path.relative(process.cwd(), EXPECTED_REACH_FILE)}\n`);
    }
    if (report.violations.length > 0) return 1;
    const refused = (changes ?? []).filter((c) => c.needsAdministrator.length > 0);
    if (chosen.refuseAdminChanges && refused.length > 0) {
        for (const change of refused) {
            for (const n of change.needsAdministrator) io.stderr.write(`plan: ${change.stack}: ${n.resource} needs an administrator: ${n.calls.join("; ")}\n`);
        }
        io.stderr.write("plan: this change needs an administrator's pulumi up before CI can apply it (docs/operations.md, \"Changes CI cannot apply\")\n");
        return 3;
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (error) => {
            process.stderr.write(`plan: ${(error as Error).stack ?? error}\n`);
            process.exitCode = 2;
        },
    );
}
