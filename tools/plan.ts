/**
 * `npm run plan -- --stack <stage> | --all [--format text|json|markdown] [--write-expected]`
 *
 * Runs the real program for a stack on Pulumi's mock engine (no cloud account, no CLI)
 * and prints what it would create, grouped by component, with each resource's key
 * settings, the stack outputs, and the access matrix: who can do what, decided by the IAM
 * policy engine from the synthesized policies. `--write-expected` records the matrices as
 * the reviewed expectation the tests compare against.
 */
import * as fs from "fs";
import * as path from "path";

import { STAGES } from "../components/stage";
import { AccessMatrix, accessMatrix } from "./accessMatrix";
import { ProgramRun, RecordedResource, ROOT, runProgram } from "./mockRun";

/** The reviewed access matrices, one per stack. */
export const EXPECTED_ACCESS_FILE = path.join(ROOT, "tests", "expected", "access-matrix.json");

type Format = "text" | "json" | "markdown";

interface PlannedResource {
    readonly type: string;
    readonly name: string;
    readonly settings: Record<string, unknown>;
}

interface StackPlan {
    readonly stack: string;
    readonly components: { readonly type: string; readonly name: string; readonly resources: PlannedResource[] }[];
    readonly outputs: Record<string, unknown>;
    readonly access: AccessMatrix;
}

/** The settings of a resource a reviewer looks at first. */
function keySettings(resource: RecordedResource): Record<string, unknown> {
    const i = resource.inputs;
    const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => i[k] !== undefined).map((k) => [k, i[k]]));
    switch (resource.type) {
        case "aws:cognito/userPool:UserPool":
            return {
                adminCreateOnly: i.adminCreateUserConfig?.allowAdminCreateUserOnly,
                mfa: i.mfaConfiguration,
                minPasswordLength: i.passwordPolicy?.minimumLength,
                deletionProtection: i.deletionProtection,
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
            return pick("forceDestroy");
        case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            return pick("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets");
        case "aws:iam/role:Role":
            return { name: resource.state.name, maxSessionDuration: i.maxSessionDuration };
        case "aws:iam/rolePolicy:RolePolicy":
            return {
                actions: [...new Set((JSON.parse(i.policy).Statement as any[]).flatMap((s) => [].concat(s.Action)))],
            };
        case "aws:lambda/function:Function":
            return pick("runtime", "architectures", "memorySize", "timeout");
        case "aws:cloudwatch/logGroup:LogGroup":
            return pick("retentionInDays");
        default:
            return {};
    }
}

export async function planOf(run: ProgramRun): Promise<StackPlan> {
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
        outputs: run.outputs,
        access: await accessMatrix(run),
    };
}

function renderAccess(matrix: AccessMatrix, md: boolean): string[] {
    if (md) {
        return [
            "### Access matrix",
            "",
            `| principal | ${matrix.columns.join(" | ")} |`,
            `| --- | ${matrix.columns.map(() => ":-:").join(" | ")} |`,
            ...matrix.rows.map((r) => `| ${r.principal} | ${matrix.columns.map((c) => (r.cells[c] === "Allowed" ? "✅" : "·")).join(" | ")} |`),
            "",
        ];
    }
    const width = Math.max(...matrix.rows.map((r) => r.principal.length));
    const numbers = matrix.columns.map((_, i) => String(i + 1).padStart(3)).join("");
    return [
        "  Access matrix (Y = allowed, . = denied)",
        `    ${"".padEnd(width)} ${numbers}`,
        ...matrix.rows.map((r) => `    ${r.principal.padEnd(width)} ${matrix.columns.map((c) => (r.cells[c] === "Allowed" ? "Y" : ".").padStart(3)).join("")}`),
        "",
        ...matrix.columns.map((c, i) => `    ${String(i + 1).padStart(3)}  ${c}`),
        "",
    ];
}

const compact = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function render(plans: StackPlan[], format: Format): string {
    if (format === "json") {
        return JSON.stringify(plans, null, 2);
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
                lines.push(md ? `| ${r.name} | \`${r.type}\` | ${settings} |` : `    ${r.name.padEnd(28)} ${r.type.padEnd(62)} ${settings}`);
            }
            lines.push("");
        }
        lines.push(md ? "### Outputs\n\n| output | value |\n| --- | --- |" : "  Outputs");
        for (const [key, value] of Object.entries(plan.outputs)) {
            lines.push(md ? `| ${key} | \`${compact(value)}\` |` : `    ${key.padEnd(24)} ${compact(value)}`);
        }
        lines.push("");
        lines.push(...renderAccess(plan.access, md));
    }
    return lines.join("\n");
}

function usage(message: string): never {
    process.stderr.write(`${message}\nusage: npm run plan -- --stack <${STAGES.join("|")}> | --all [--format text|json|markdown] [--write-expected]\n`);
    process.exit(2);
}

async function main(argv: string[]) {
    let stacks: string[] = [];
    let format: Format = "text";
    let writeExpected = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--all") {
            stacks = [...STAGES];
        } else if (arg === "--stack") {
            const stack = argv[++i];
            if (!stack) usage("--stack needs a stack name");
            stacks.push(stack);
        } else if (arg === "--write-expected") {
            writeExpected = true;
        } else if (arg === "--format") {
            const value = argv[++i];
            if (value !== "text" && value !== "json" && value !== "markdown") usage(`unknown format '${value ?? ""}'`);
            format = value;
        } else {
            usage(`unknown argument '${arg}'`);
        }
    }
    if (stacks.length === 0) usage("name a stack with --stack, or use --all");

    const plans: StackPlan[] = [];
    for (const stack of stacks) {
        try {
            plans.push(await planOf(await runProgram(stack)));
        } catch (error) {
            process.stderr.write(`plan: stack '${stack}': ${(error as Error).message}\n`);
            process.exit(1);
        }
    }
    process.stdout.write(`${render(plans, format)}\n`);
    if (writeExpected) {
        const expected = fs.existsSync(EXPECTED_ACCESS_FILE) ? JSON.parse(fs.readFileSync(EXPECTED_ACCESS_FILE, "utf8")) : {};
        for (const plan of plans) {
            expected[plan.stack] = plan.access;
        }
        fs.mkdirSync(path.dirname(EXPECTED_ACCESS_FILE), { recursive: true });
        fs.writeFileSync(EXPECTED_ACCESS_FILE, `${JSON.stringify(expected, null, 2)}\n`);
        process.stderr.write(`plan: wrote the access matrices of ${plans.map((p) => p.stack).join(", ")} to ${path.relative(process.cwd(), EXPECTED_ACCESS_FILE)}\n`);
    }
}

if (require.main === module) {
    void main(process.argv.slice(2));
}
