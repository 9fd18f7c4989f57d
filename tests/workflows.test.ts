/**
 * The CI workflows parse, run the README's test command, preview every stack with its
 * preview role, deploy in stage order with the deploy roles, and hold no AWS key.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { parse } from "yaml";

import { STAGES } from "../components/stage";
import { ROOT } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const load = (file: string) => parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
const steps = (job: any): any[] => job.steps ?? [];

/** The command under the README's "Run the tests" heading. */
function readmeTestCommand(): string {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.split(/^## Run the tests$/m)[1];
    const command = /```sh\n([^\n]+)\n```/.exec(section ?? "")?.[1];
    assert.ok(command, "README has a test command under '## Run the tests'");
    return command;
}

describe("CI workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

    it("all parse as YAML and none holds an AWS key or secret key input", () => {
        assert.deepStrictEqual(files.sort(), ["deploy-stage.yml", "deploy.yml", "pull-request.yml"]);
        for (const file of files) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            assert.ok(load(file).jobs, `${file} has jobs`);
            assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{16}/, file);
        }
    });

    it("pull requests run the README's test command", () => {
        const test = load("pull-request.yml").jobs.test;
        assert.ok(steps(test).some((s) => s.run === readmeTestCommand()), `a step runs '${readmeTestCommand()}'`);
    });

    it("pull requests preview every stack with that stack's preview role, via OIDC", () => {
        const preview = load("pull-request.yml").jobs.preview;
        assert.strictEqual(preview.permissions["id-token"], "write");
        assert.deepStrictEqual(preview.strategy.matrix.include.map((i: any) => i.stage), [...STAGES]);
        for (const entry of preview.strategy.matrix.include) {
            assert.strictEqual(entry.preview_role_variable, `CI_PREVIEW_ROLE_ARN_${entry.stage.toUpperCase()}`);
        }
        const credentials = steps(preview).find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
        assert.strictEqual(credentials.with["role-to-assume"], "${{ vars[matrix.preview_role_variable] }}");
        const previewRun = steps(preview).map((s) => s.run ?? "").find((r) => r.startsWith("pulumi preview"));
        assert.match(previewRun ?? "", /^pulumi preview --stack \$\{\{ matrix\.stage \}\} .*--policy-pack policy/);
        assert.ok(steps(preview).some((s) => s.run === "npm ci && npm ci --prefix policy"), "the policy pack's dependencies are installed");
    });

    it("main deploys deve, then stag, then prod, each running the smoke checks", () => {
        const deploy = load("deploy.yml");
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        assert.ok(steps(deploy.jobs.test).some((s) => s.run === readmeTestCommand()));
        assert.deepStrictEqual(
            STAGES.map((stage) => [stage, deploy.jobs[stage].needs, deploy.jobs[stage].with.stage]),
            [
                ["deve", "test", "deve"],
                ["stag", "deve", "stag"],
                ["prod", "stag", "prod"],
            ],
        );
        const stage = load("deploy-stage.yml").jobs.up;
        assert.strictEqual(stage.environment, "${{ inputs.stage }}", "each stage runs in its GitHub environment (prod: approval)");
        const runs = steps(stage).map((s) => s.run ?? "");
        const up = runs.findIndex((r) => r.startsWith("pulumi up --stack ${{ inputs.stage }}"));
        const smoke = runs.findIndex((r) => r.startsWith("npm run --silent smoke -- --stack ${{ inputs.stage }}"));
        assert.ok(up >= 0 && smoke > up, "smoke checks run after pulumi up");
        const credentials = steps(stage).find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
        assert.strictEqual(credentials.with["role-to-assume"], "${{ vars.CI_DEPLOY_ROLE_ARN }}");
    });
});
