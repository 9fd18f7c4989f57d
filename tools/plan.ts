/**
 * `npm run plan -- --stack <stage> | --all [--format text|json|markdown] [--write-expected]`
 *
 * Runs the real program for every stack on Pulumi's mock engine (no cloud account, no CLI)
 * and prints, for the stacks asked for, what it would create grouped by component with each
 * resource's key settings, the stack outputs, and who can reach what: every person of the
 * access model × every capability of the stack, each allowed cell with the chain that gets
 * there, decided by the IAM policy engine over the synthesized policies of all stacks placed
 * in one account. `--write-expected` records the reviewed expectation the tests compare with.
 *
 * Exit codes: 0 every promise holds; 1 a promise is broken; 2 nothing was planned (usage,
 * missing stack file, refused configuration, internal error; `preplan` exits 2 too when the
 * development dependencies are missing).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

import { AccessReport, accessReport, columnsOf, expectationOf, formatViolation } from "../analysis/access";
import { isStage, Stage, STAGES } from "../components/stage";
import { ACCOUNT_ID, isSecretInput, ProgramRun, RecordedResource, ROOT, runProgram } from "./mockRun";

/** The reviewed reach of every person, one table per stack. */
export const EXPECTED_REACH_FILE = path.join(ROOT, "tests", "expected", "reach.json");

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: npm run plan -- (--stack <${STAGES.join("|")}> ... | --all) [--format text|json|markdown] [--write-expected]

Runs the program of each stack on Pulumi's mock engine and prints its resources, outputs and
who can reach what (no AWS account or Pulumi CLI needed).

options:
  --stack <stage>     a stack to print (repeat for several)
  --all               every stack
  --format <format>   text (default), json, or markdown (for a pull-request comment)
  --write-expected    record the printed reach as the reviewed expectation of the tests
  -h, --help          this help

examples:
  npm run plan -- --stack deve
  npm run --silent plan -- --all --format markdown >> "$GITHUB_STEP_SUMMARY"
  npm run --silent plan -- --stack prod --format json > plan.json

Output read by a program: run it as \`npm run --silent plan -- …\`, or npm's own lines
("> federated-access@… plan") land on stdout ahead of it.

Every stack is run, whichever are printed: who reaches what depends on all of them, so each
needs its stack file (Pulumi.<stage>.yaml). Needs the development dependencies.

exit codes: 0 every promise holds; 1 a promise is broken (listed under "Broken promises");
2 nothing was planned: a usage error, a missing development dependency, a missing stack file,
a stack configuration the program refuses, or an internal error.
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
            return pick("generateSecret", "explicitAuthFlows", "idTokenValidity");
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

class UsageError extends Error {}

function options(argv: string[]): { stacks: Stage[]; format: Format; writeExpected: boolean } | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", multiple: true },
                all: { type: "boolean" },
                format: { type: "string" },
                "write-expected": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (parsed.help) return "help";
    const format = parsed.format ?? "text";
    if (!(FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`);
    }
    for (const stack of parsed.stack ?? []) {
        if (!isStage(stack)) throw new UsageError(`unknown stack '${stack}': the stacks are ${STAGES.join(", ")}`);
    }
    const stacks = parsed.all ? [...STAGES] : [...new Set(parsed.stack ?? [])].filter(isStage);
    if (stacks.length === 0) throw new UsageError("name a stack with --stack <stage>, or use --all");
    return { stacks, format: format as Format, writeExpected: parsed["write-expected"] === true };
}

/**
 * The stack files missing from `root`, as one line saying which and how to create them; none
 * missing: undefined. Every stack is run, whichever are printed, so every stack needs its file.
 */
export function missingStackFiles(root = ROOT): string | undefined {
    const missing = STAGES.filter((stage) => !fs.existsSync(path.join(root, `Pulumi.${stage}.yaml`)));
    if (missing.length === 0) {
        return undefined;
    }
    const files = missing.map((stage) => path.relative(process.cwd(), path.join(root, `Pulumi.${stage}.yaml`)) || `Pulumi.${stage}.yaml`);
    return (
        `no stack file ${files.join(", ")}: the plan runs every stack (${STAGES.join(", ")}), since who reaches what depends on all of them. ` +
        `Restore the shipped example (git checkout -- ${files.join(" ")}) or write ${missing.length > 1 ? "each" : "it"} with the keys of ` +
        `the README's configuration table (pulumi config set --stack ${missing[0]} <key> <value> writes it)`
    );
}

/** Where the plan writes: the process's streams, or a test's. */
export interface PlanIo {
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/**
 * Runs the plan; resolves with its exit code (see USAGE).
 * @param root where the stack files are looked for before anything runs. @default ROOT
 */
export async function main(argv: string[], io: PlanIo = process, root = ROOT): Promise<number> {
    let chosen;
    try {
        chosen = options(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr.write(`plan: ${error.message}\n${USAGE}`);
            return 2;
        }
        throw error;
    }
    if (chosen === "help") {
        io.stdout.write(USAGE);
        return 0;
    }
    // A set-up problem, not a mistake on the command line: one line, no usage.
    const missing = missingStackFiles(root);
    if (missing) {
        io.stderr.write(`plan: ${missing}\n`);
        return 2;
    }
    const progress = (line: string) => {
        if (io.stderr.isTTY) io.stderr.write(`${line}\n`);
    };
    // The people model needs every stack: a pipeline or a user of one stage must not reach another.
    const runs: ProgramRun[] = [];
    for (const stack of STAGES) {
        progress(`plan: running the program of stack ${stack} on the mock engine…`);
        try {
            runs.push(await runProgram(stack));
        } catch (error) {
            io.stderr.write(`plan: stack '${stack}': ${(error as Error).message}\n`);
            return 2;
        }
    }
    progress("plan: deciding who reaches what…");
    const report = await accessReport(runs, ACCOUNT_ID);
    const plans = runs.filter((r) => chosen.stacks.includes(r.stack as Stage)).map(planOf);
    io.stdout.write(`${render(plans, report, chosen.format)}\n`);
    if (chosen.writeExpected) {
        const expected = fs.existsSync(EXPECTED_REACH_FILE) ? JSON.parse(fs.readFileSync(EXPECTED_REACH_FILE, "utf8")) : {};
        for (const stack of chosen.stacks) {
            expected[stack] = expectationOf(report, stack);
        }
        fs.mkdirSync(path.dirname(EXPECTED_REACH_FILE), { recursive: true });
        fs.writeFileSync(EXPECTED_REACH_FILE, `${JSON.stringify(expected, null, 2)}\n`);
        io.stderr.write(`plan: wrote the reach of ${chosen.stacks.join(", ")} to ${path.relative(process.cwd(), EXPECTED_REACH_FILE)}\n`);
    }
    return report.violations.length > 0 ? 1 : 0;
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
