/**
 * `npm run stages` and `npm run key-table` as commands: help, and usage errors in the tools'
 * one style (what is wrong, then a hint line), npm's swallowed options included.
 */
import * as assert from "assert";

import { main as keyTableMain } from "../tools/keyTable";
import { main as stagesMain } from "../tools/stages";
import { meantCommand, usageHint } from "../cli/usage";
import { PLAN_CLI } from "../tools/plan";

interface Ran {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function stages(argv: string[], env: NodeJS.ProcessEnv = {}): Ran {
    const out: string[] = [];
    const err: string[] = [];
    const code = stagesMain(argv, (line) => out.push(line), (line) => err.push(line), env);
    return { code, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
}

async function keyTable(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
    let stdout = "";
    let stderr = "";
    const code = await keyTableMain(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } }, env);
    return { code, stdout, stderr };
}

const usageError = (ran: Ran, lines: [RegExp, string]) => {
    assert.strictEqual(ran.code, 2, ran.stderr);
    assert.strictEqual(ran.stdout, "");
    const [wrong, hint, ...more] = ran.stderr.trimEnd().split("\n");
    assert.match(wrong, lines[0]);
    assert.strictEqual(hint, lines[1]);
    assert.deepStrictEqual(more, [], ran.stderr);
};

describe("stages CLI", () => {
    const help = "run 'npm run stages -- --help' for usage";
    const meant = (command: string) => `did you mean: ${command} ? (npm needs '--' before the tool's options)`;

    it("--help prints the usage and exits 0", () => {
        const ran = stages(["--help"]);
        assert.strictEqual(ran.code, 0);
        assert.match(ran.stdout, /^usage: npm run --silent stages -- \[--tier development\|production\] \[--format text\|json\]/);
        assert.strictEqual(ran.stderr, "");
    });

    it("a mistake on the command line exits 2 naming it, with one hint line pointing to the help", () => {
        usageError(stages(["--frobnicate"]), [/^stages: Unknown option '--frobnicate'$/, help]);
        usageError(stages(["--format", "xml"]), [/^stages: --format must be text or json, got 'xml'$/, help]);
        usageError(stages(["--tier", "staging"]), [/^stages: --tier must be one of development, production, got 'staging'$/, help]);
        usageError(stages(["extra"]), [/^stages: Unexpected argument 'extra'$/, help]);
    });

    it("npm run stages --tier development (no --): the hint gives the command meant", () => {
        usageError(stages(["development"], { npm_config_tier: "true" }), [/^stages: Unexpected argument 'development'$/, meant("npm run stages -- --tier development")]);
        usageError(stages(["development", "json"], { npm_config_tier: "true", npm_config_format: "true" }), [/^stages: Unexpected argument 'development'$/, meant("npm run stages -- --tier development --format json")]);
        usageError(stages(["json"]), [/^stages: Unexpected argument 'json'$/, meant("npm run stages -- --format json")]);
    });
});

describe("key-table CLI", () => {
    it("--help prints the usage and exits 0 without judging anything", async () => {
        const ran = await keyTable(["--help"]);
        assert.strictEqual(ran.code, 0);
        assert.match(ran.stdout, /^usage: npm run --silent key-table\n/);
        assert.strictEqual(ran.stderr, "");
    });

    it("takes no options: anything else exits 2 naming it, with one hint line pointing to the help", async () => {
        const help = "run 'npm run key-table -- --help' for usage";
        usageError(await keyTable(["--stack", "deve"]), [/^key-table: Unknown option '--stack'$/, help]);
        // npm run key-table --stack deve (no --): npm passes 'deve' alone; the table has no option to give it.
        usageError(await keyTable(["deve"], { npm_config_stack: "true" }), [/^key-table: Unexpected argument 'deve'$/, help]);
    });
});

describe("usage hints", () => {
    it("restore what npm swallowed, and nothing it cannot place", () => {
        assert.strictEqual(meantCommand(PLAN_CLI, ["deve"], { npm_config_stack: "true" }), "npm run plan -- --stack deve");
        assert.strictEqual(meantCommand(PLAN_CLI, ["--format", "json", "deve"], { npm_config_stack: "true" }), "npm run plan -- --format json --stack deve");
        assert.strictEqual(meantCommand(PLAN_CLI, ["--all"], { npm_config_refuse_admin_changes: "true", npm_config_base: "HEAD" }), "npm run plan -- --all --base HEAD --refuse-admin-changes");
        assert.strictEqual(meantCommand(PLAN_CLI, ["not-a-stage"], {}), undefined);
        assert.strictEqual(usageHint(PLAN_CLI, ["not-a-stage"], {}), "run 'npm run plan -- --help' for usage");
    });
});
