/**
 * `npm run --silent key-table`: which configuration key a CI deploy can change, which needs an
 * administrator, and which puts data at risk, derived from the program. For each key of every
 * shipped stack, the stack is run with the key set to another valid value and the change is
 * reviewed as `plan --base` reviews it (analysis/changes.ts), against the stage's deploy role as
 * shipped. docs/operations.md holds the printed table; a test keeps the two equal.
 */
import { parseArgs } from "util";

import { dataAtRisk, needsAdministrator, resourceChanges } from "../analysis/changes";
import { CONFIG_KEYS } from "../components/config/stackSettings";
import { applierOf } from "./plan";
import { PROJECT, ProgramRun, runProgram, stackRun, STAGES } from "./mockRun";
import { CliSpec, firstSentence, usageLines } from "../cli/usage";

/** Another valid value of each key, given the stack's own. */
const OTHER_VALUE: Record<string, (current: string | undefined, stage: string) => string> = {
    "aws:region": (v) => (v === "eu-west-1" ? "eu-west-2" : "eu-west-1"),
    tier: (v) => (v === "production" ? "development" : "production"),
    userFilesPrefix: (v) => (v === "files" ? "user-files" : "files"),
    mfa: (v) => (v === "ON" ? "OPTIONAL" : "ON"),
    idTokenValidityMinutes: (v) => (v === "1440" ? "60" : "1440"),
    logRetentionDays: (v) => (v === "60" ? "90" : "60"),
    protectData: (v) => (v === "true" ? "false" : "true"),
    callerAccountId: (v) => (v === "123456789012" ? "123456789013" : "123456789012"),
    callerDevRoleName: () => "LambdaRoleOther",
    callerProdRoleName: () => "LambdaRoleOther",
    callerExternalId: () => "rotated-external-id",
    apiThrottleRateLimit: (v) => String(Number(v ?? 50) + 10),
    apiThrottleBurstLimit: (v) => String(Number(v ?? 100) + 10),
    auditTrail: (v) => (v === "true" ? "false" : "true"),
    githubRepository: () => "example-org/other-repository",
    githubRepositoryIds: (v) => (v === "1000001/2000003" ? "1000001/2000004" : "1000001/2000003"),
    githubOidcProvider: (v) => (v === "create" ? "existing" : "create"),
    githubSubjectIncludesRef: (v) => (v === "true" ? "false" : "true"),
    githubDeployEnvironment: (_, stage) => `${stage}-other`,
    ciStateBucket: () => "acme-pulumi-state",
};

export interface KeyRow {
    readonly key: string;
    /** Per stage: `CI`, `administrator`, either followed by `, data at risk`, or `refused: …`. */
    readonly cells: Record<string, string>;
}

async function judge(stage: string, key: string, base: ProgramRun): Promise<string> {
    const name = key.includes(":") ? key : `${PROJECT}:${key}`;
    const value = OTHER_VALUE[key](base.config[name], stage);
    const secret = key === "callerExternalId";
    let head: ProgramRun;
    try {
        head = await runProgram(stage, { overrides: { [name]: value }, secretKeys: secret ? [name] : [] });
    } catch (error) {
        const reason = (error as Error).message.split("\n").find((line) => line.startsWith("  - ")) ?? (error as Error).message;
        return `refused: ${reason.replace(/^ {2}- /, "").replace(/,? got '.*'$/, "").replace(/'federated-access:(\w+)'/g, "$1")}`;
    }
    const changes = resourceChanges(base, head);
    if (changes.length === 0) return "no change";
    const admin = await needsAdministrator(applierOf(base, head), base, head, changes);
    const risk = dataAtRisk(base, head, changes);
    return `${admin.length > 0 ? "administrator" : "CI"}${risk.length > 0 ? ", data at risk" : ""}`;
}

/** The table, one row per key (aws:region first), one column per shipped stack. */
export async function keyTable(stages: readonly string[] = STAGES): Promise<KeyRow[]> {
    const keys = ["aws:region", ...Object.keys(CONFIG_KEYS)];
    const rows: KeyRow[] = [];
    const bases = new Map<string, ProgramRun>();
    for (const stage of stages) bases.set(stage, await stackRun(stage));
    for (const key of keys) {
        const cells: Record<string, string> = {};
        for (const stage of stages) cells[stage] = await judge(stage, key, bases.get(stage) as ProgramRun);
        rows.push({ key, cells });
    }
    return rows;
}

export function renderKeyTable(rows: readonly KeyRow[], stages: readonly string[] = STAGES): string {
    const lines = [`| key | ${stages.join(" | ")} |`, `| --- | ${stages.map(() => "---").join(" | ")} |`];
    for (const row of rows) lines.push(`| \`${row.key}\` | ${stages.map((s) => row.cells[s]).join(" | ")} |`);
    return lines.join("\n");
}

const USAGE = `usage: npm run --silent key-table

Prints the table of docs/operations.md: for each configuration key and each shipped stack, whether
a CI deploy can change the key, whether it needs an administrator, and whether it puts data at
risk. It takes no options: every key of every shipped stack is judged.

exit codes: 0 printed; 2 a usage error or a stack the program refuses.
`;

export const KEY_TABLE_CLI: CliSpec = { name: "key-table", options: { help: { type: "boolean", short: "h" } } };

/** Where the table goes: the process's streams, or a test's. */
export interface KeyTableIo {
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown };
}

/**
 * Prints the table; resolves with the exit code. A mistake on the command line is answered in
 * two lines, what is wrong and a hint (cli/usage.ts).
 */
export async function main(argv: readonly string[], io: KeyTableIo = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    let help: boolean | undefined;
    try {
        help = parseArgs({ args: [...argv], options: KEY_TABLE_CLI.options, strict: true }).values.help as boolean | undefined;
    } catch (error) {
        io.stderr.write(usageLines(KEY_TABLE_CLI, firstSentence((error as Error).message), argv, env));
        return 2;
    }
    if (help) {
        io.stdout.write(USAGE);
        return 0;
    }
    let rows: KeyRow[];
    try {
        rows = await keyTable();
    } catch (error) {
        io.stderr.write(`key-table: ${(error as Error).message}\n`);
        return 2;
    }
    io.stdout.write(`${renderKeyTable(rows)}\n`);
    return 0;
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
