/**
 * `npm run plan` as a command: its help, its exit codes, and a missing stack file stopped before
 * anything runs with one line naming the file and how to create it (no usage dump).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { SHIPPED_STAGES } from "../components/config/stage";
import { changedAnalysisFiles, checkoutBase } from "../tools/baseTree";
import { main, missingStackFiles, NOT_SET, outputCell } from "../tools/plan";
import { ROOT, stackNames, STAGES } from "./harness";

interface Ran {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

async function plan(argv: string[], root = ROOT, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } }, root, env);
    return { code, stdout, stderr };
}

describe("plan CLI", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("--help prints usage with examples for programs (--silent) and the exit codes, and exits 0", async () => {
        const help = await plan(["--help"]);
        assert.strictEqual(help.code, 0);
        assert.strictEqual(help.stderr, "");
        assert.match(help.stdout, /^usage: npm run plan -- /);
        assert.match(help.stdout, /npm run --silent plan -- --all --format markdown >> "\$GITHUB_STEP_SUMMARY"/);
        assert.match(help.stdout, /exit codes: 0 every promise holds; 1 a promise is broken .*\n2 nothing was planned/);
    });

    it("a mistake on the command line exits 2 naming it, with one hint line pointing to the help", async () => {
        const mistakes: [string[], RegExp][] = [
            [["--frobnicate"], /Unknown option '--frobnicate'/],
            [["--stack", "deve-x"], /'deve-x' cannot be a stack/],
            [["--all", "--format", "xml"], /--format must be one of text, json, markdown, got 'xml'/],
            [[], /name a stack with --stack <stage>, or use --all/],
            [["--all", "--refuse-admin-changes"], /--refuse-admin-changes judges a change/],
            [["--all", "--base", "HEAD", "--write-expected"], /--write-expected records the working tree's reach/],
        ];
        for (const [argv, mistake] of mistakes) {
            const ran = await plan(argv);
            assert.strictEqual(ran.code, 2, argv.join(" "));
            assert.strictEqual(ran.stdout, "");
            assert.match(ran.stderr, /^plan: .*\nrun 'npm run plan -- --help' for usage\n$/, argv.join(" "));
            assert.match(ran.stderr.split("\n")[0], mistake, argv.join(" "));
        }
    });

    it("npm run plan --stack deve (no --): npm takes --stack and passes 'deve' alone, and the hint gives the command meant", async () => {
        // What npm passes: the option as its own configuration (npm_config_stack), the value as an argument.
        const swallowed = await plan(["deve"], ROOT, { npm_config_stack: "true" });
        assert.strictEqual(swallowed.code, 2);
        assert.strictEqual(swallowed.stdout, "");
        assert.strictEqual(swallowed.stderr, "plan: Unexpected argument 'deve'\ndid you mean: npm run plan -- --stack deve ? (npm needs '--' before the tool's options)\n");
        // Without npm's word for it, a bare stage name is still taken for what it is.
        assert.match((await plan(["deve"], ROOT, {})).stderr, /\ndid you mean: npm run plan -- --stack deve \? /);
        // --stack=deve: npm keeps the value and the tool gets nothing; --all --base origin/main: both options and the value.
        assert.match((await plan([], ROOT, { npm_config_stack: "deve" })).stderr, /^plan: name a stack with --stack <stage>, or use --all\ndid you mean: npm run plan -- --stack deve \? /);
        assert.match((await plan(["origin/main"], ROOT, { npm_config_all: "true", npm_config_base: "true" })).stderr, /did you mean: npm run plan -- --all --base origin\/main \? /);
        // Any other argument (here not a stage name): the help.
        assert.match((await plan(["--all", "./extra"], ROOT, {})).stderr, /^plan: Unexpected argument '.\/extra'\nrun 'npm run plan -- --help' for usage\n$/);
    });

    it("a stack asked for without its stack file exits 2 with one line naming it and how to create it", async () => {
        for (const file of ["Pulumi.yaml", "Pulumi.deve.yaml"]) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
        const ran = await plan(["--stack", "qa"], dir);
        assert.strictEqual(ran.code, 2);
        assert.strictEqual(ran.stdout, "");
        assert.strictEqual(ran.stderr.trimEnd().split("\n").length, 1, ran.stderr);
        assert.doesNotMatch(ran.stderr, /usage:/);
        const qa = path.relative(process.cwd(), path.join(dir, "Pulumi.qa.yaml"));
        assert.ok(ran.stderr.startsWith(`plan: no stack file ${qa}: the stacks are deve. A new stage is a new stack file`), ran.stderr);
        assert.match(ran.stderr, /\(pulumi config set --stack qa <key> <value> writes it\)$/m);
    });

    it("a stack file with a number YAML readers disagree on exits 2 with one line naming the file, the key and the plain form", async () => {
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const shipped = fs.readFileSync(path.join(ROOT, "Pulumi.deve.yaml"), "utf8");
        assert.match(shipped, /federated-access:idTokenValidityMinutes: 60\n/);
        fs.writeFileSync(path.join(dir, "Pulumi.deve.yaml"), shipped.replace("federated-access:idTokenValidityMinutes: 60\n", "federated-access:idTokenValidityMinutes: 060\n"));
        const ran = await plan(["--stack", "deve"], dir);
        assert.strictEqual(ran.code, 2);
        assert.strictEqual(ran.stdout, "");
        assert.strictEqual(ran.stderr, "plan: stack 'deve': Pulumi.deve.yaml: federated-access:idTokenValidityMinutes: write '060' as 60, or quote it: YAML readers do not agree on what '060' is, so a deployment might read another value than the plan\n");
    });

    it("names the analysis files a change edits, added and removed ones included: the review judges with the edited analysis", () => {
        const [before, after] = [path.join(dir, "base"), path.join(dir, "head")];
        for (const tree of [before, after]) {
            fs.mkdirSync(path.join(tree, "analysis"), { recursive: true });
            fs.mkdirSync(path.join(tree, "tests", "expected"), { recursive: true });
            fs.writeFileSync(path.join(tree, "analysis", "people.ts"), "same");
            fs.writeFileSync(path.join(tree, "index.ts"), tree === before ? "a" : "b");
        }
        fs.writeFileSync(path.join(before, "analysis", "promises.ts"), "export const STALE_ADMIN_LIMIT_MINUTES = 120;");
        fs.writeFileSync(path.join(after, "analysis", "promises.ts"), "export const STALE_ADMIN_LIMIT_MINUTES = 1500;");
        fs.writeFileSync(path.join(before, "analysis", "gone.ts"), "x");
        fs.writeFileSync(path.join(after, "tests", "expected", "reach.json"), "{}");
        assert.deepStrictEqual(changedAnalysisFiles(before, after), ["analysis/gone.ts", "analysis/promises.ts", "tests/expected/reach.json"]);
        assert.deepStrictEqual(changedAnalysisFiles(before, before), []);
    });

    it("a tree without any stack file exits 2, saying how to restore the shipped ones", async () => {
        const ran = await plan(["--all"], dir);
        assert.strictEqual(ran.code, 2);
        assert.match(ran.stderr, /^plan: no stack file in .*git checkout -- Pulumi\.deve\.yaml Pulumi\.stag\.yaml Pulumi\.prod\.yaml\)\n$/);
    });

    it("an unknown --base exits 2 naming it, before anything runs", async () => {
        const ran = await plan(["--all", "--base", "no-such-ref-anywhere"]);
        assert.strictEqual(ran.code, 2);
        assert.match(ran.stderr, /^plan: --base 'no-such-ref-anywhere' is not a commit of this repository/);
    });

    it("shows an output the stack does not set as not set, never as 'undefined'", () => {
        // deve and stag have no audit trail: auditTrailArn and auditLogBucket are not exported there.
        assert.strictEqual(outputCell(undefined, false), NOT_SET);
        assert.strictEqual(outputCell(undefined, true), NOT_SET);
        assert.strictEqual(outputCell("arn:aws:iam::111122223333:role/x", true), "`arn:aws:iam::111122223333:role/x`");
        assert.strictEqual(outputCell(["GET /whoami"], false), '["GET /whoami"]');
        assert.strictEqual(outputCell(false, false), "false");
    });

    it("finds every stack file of this repository, and a stage added as a stack file", () => {
        assert.strictEqual(missingStackFiles(), undefined);
        assert.deepStrictEqual(stackNames(), [...SHIPPED_STAGES].sort());
        for (const stage of [...STAGES, "qa"]) {
            fs.writeFileSync(path.join(dir, `Pulumi.${stage}.yaml`), "");
        }
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
        assert.strictEqual(missingStackFiles(dir, ["qa"]), undefined);
        assert.deepStrictEqual(stackNames(dir), ["deve", "prod", "qa", "stag"]);
    });

    it("--base reviews a stage added as a stack file end to end: created in full, an administrator's, the other stacks unchanged", async function () {
        this.timeout(600000);
        // Only in a git work tree of its own: a copy (a mutation run's sandbox) has no commit to start from.
        let top = "";
        try {
            top = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        } catch {
            // not in a repository
        }
        if (fs.realpathSync(top || os.tmpdir()) !== fs.realpathSync(ROOT)) this.skip();
        // A repository whose HEAD is this tree, with Pulumi.qa.yaml added in its working tree.
        const tree = checkoutBase("HEAD");
        try {
            const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=plan@test", "-c", "user.name=plan", ...args], { cwd: tree.root, stdio: "ignore" });
            git("init", "-q");
            fs.appendFileSync(path.join(tree.root, ".git", "info", "exclude"), "node_modules\n");
            git("add", "-A", ".");
            git("commit", "-q", "-m", "base");
            const deve = fs.readFileSync(path.join(tree.root, "Pulumi.deve.yaml"), "utf8");
            fs.writeFileSync(path.join(tree.root, "Pulumi.qa.yaml"), deve.replace(/githubDeployEnvironment: deve/, "githubDeployEnvironment: qa"));
            const ran = await plan(["--all", "--base", "HEAD", "--format", "json"], tree.root);
            assert.strictEqual(ran.code, 0, ran.stderr);
            assert.deepStrictEqual(JSON.parse(ran.stdout).analysisChanged, [], "a new stack file leaves the analysis alone");
            const changes = JSON.parse(ran.stdout).changes as { stack: string; resources: { type: string; name: string; action: string }[]; dataAtRisk: string[]; access: { gained: string[]; lost: string[] }; needsAdministrator: { resource: string; calls: string[] }[] }[];
            assert.deepStrictEqual(changes.map((c) => c.stack).sort(), ["deve", "prod", "qa", "stag"]);
            const qa = changes.find((c) => c.stack === "qa")!;
            assert.ok(qa.resources.length > 20, `qa's resources: ${qa.resources.length}`);
            assert.deepStrictEqual([...new Set(qa.resources.map((r) => r.action))], ["create"], "created in full");
            assert.ok(qa.resources.some((r) => r.type === "aws:cognito/userPool:UserPool"));
            assert.ok(qa.access.gained.some((cell) => cell.startsWith("qa deploy pipeline")), qa.access.gained.join("\n"));
            assert.deepStrictEqual(qa.access.lost, []);
            // No stage's deploy role may create another stage: the first deploy is an administrator's.
            assert.deepStrictEqual(qa.needsAdministrator, [
                { resource: `all ${qa.resources.length} resources`, calls: ["the stage has no deploy role before this change: an administrator applies it (docs/first-deploy.md)"] },
            ]);
            for (const other of changes.filter((c) => c.stack !== "qa")) {
                assert.deepStrictEqual({ resources: other.resources, dataAtRisk: other.dataAtRisk, needsAdministrator: other.needsAdministrator }, { resources: [], dataAtRisk: [], needsAdministrator: [] }, other.stack);
            }
        } finally {
            tree.dispose();
        }
    });
});
