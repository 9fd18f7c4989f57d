/**
 * The CI workflows parse, run the README's test command, preview every stack with its
 * preview role, deploy in stage order with the deploy roles and smoke-check with the smoke
 * roles, hold no AWS key, and pin what they run.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { parse } from "yaml";

import { smokeEnvironmentOf as peopleSmokeEnvironment } from "../analysis/people";
import { githubSubjects } from "../components/ci/githubCi";
import { stackConfig } from "../tools/mockRun";
import { workflowStages } from "../tools/stages";
import { ROOT, STAGES } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string) => parse(text(file));
const steps = (job: any): any[] => job.steps ?? [];
const usesOf = (job: any, action: string) => steps(job).filter((s) => String(s.uses).startsWith(`${action}@`));

/**
 * The release commits the workflows run, read from each action's repository: the commit its
 * release tag points to. A new version is a deliberate edit of this table and the workflows.
 */
const PINNED: Record<string, { commit: string; version: string }> = {
    "actions/checkout": { commit: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
    "actions/download-artifact": { commit: "37930b1c2abaa49bbe596cd826c3c89aef350131", version: "v7.0.0" },
    "actions/setup-node": { commit: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
    "actions/upload-artifact": { commit: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", version: "v7.0.0" },
    "aws-actions/configure-aws-credentials": { commit: "e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3" },
    "pulumi/actions": { commit: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
    "pulumi/auth-actions": { commit: "141415910c3beb54e03b48e9057c204c97b956f2", version: "v2.1.0" },
};

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
    const allJobs = files.flatMap((file) => Object.entries<any>(load(file).jobs).map(([id, job]) => ({ file, id, job })));

    it("all parse as YAML and none holds an AWS key or secret key input", () => {
        assert.deepStrictEqual(files.sort(), ["deploy-stage.yml", "deploy.yml", "pull-request.yml"]);
        for (const file of files) {
            assert.ok(load(file).jobs, `${file} has jobs`);
            assert.doesNotMatch(text(file), /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{16}/, file);
        }
    });

    it("pin every action to the commit of a release, named in a comment", () => {
        const seen = new Set<string>();
        for (const file of files) {
            for (const line of text(file).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
                const local = /uses: \.\/\.github\/workflows\/[\w-]+\.yml$/.test(line);
                if (local) {
                    continue; // a workflow of this repository, at the commit being run
                }
                const match = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
                assert.ok(match, `${file}: '${line.trim()}' is pinned as <owner/repo>@<40-hex commit> # v<version>`);
                const [, action, commit, version] = match;
                assert.deepStrictEqual({ commit, version }, PINNED[action], `${file}: ${action}`);
                seen.add(action);
            }
        }
        assert.deepStrictEqual([...seen].sort(), Object.keys(PINNED).sort(), "every pinned action is used");
    });

    it("install the Pulumi CLI of the @pulumi/pulumi in package-lock.json", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
        const sdk = lock.packages["node_modules/@pulumi/pulumi"].version;
        const installs = allJobs.flatMap(({ job }) => usesOf(job, "pulumi/actions"));
        assert.strictEqual(installs.length, 2, "the preview and the deploy job");
        for (const step of installs) {
            assert.strictEqual(String(step.with?.["pulumi-version"]), sdk);
        }
    });

    it("keep credentials and caches out of reach of the code they run", () => {
        for (const { file, id, job } of allJobs.filter(({ job }) => job.steps)) {
            for (const checkout of usesOf(job, "actions/checkout")) {
                assert.strictEqual(checkout.with?.["persist-credentials"], false, `${file} ${id}: the checkout token is not left in .git`);
            }
            const permissions = job.permissions ?? load(file).permissions ?? {};
            if (permissions["id-token"] === "write") {
                for (const setup of usesOf(job, "actions/setup-node")) {
                    assert.strictEqual(setup.with?.cache, undefined, `${file} ${id}: no dependency cache where an OIDC token can be had`);
                    assert.strictEqual(setup.with?.["package-manager-cache"], false, `${file} ${id}`);
                }
            }
        }
    });

    it("sign in to Pulumi Cloud with a team token, never an organization token, and say which variable is missing", () => {
        const signIns = allJobs.flatMap(({ file, job }) => usesOf(job, "pulumi/auth-actions").map((step) => ({ file, job, step })));
        assert.strictEqual(signIns.length, 2, "the preview and the deploy job");
        for (const { file, job, step } of signIns) {
            const team = file === "pull-request.yml" ? "PULUMI_PREVIEW_TEAM" : "PULUMI_DEPLOY_TEAM";
            assert.strictEqual(step.with["requested-token-type"], "urn:pulumi:token-type:access_token:team", file);
            assert.strictEqual(step.with.scope, `team:\${{ vars.${team} }}`, file);
            const check = steps(job).find((s) => s.if === `vars.PULUMI_BACKEND_URL == '' && vars.${team} == ''`);
            assert.ok(check && /exit 1/.test(check.run) && check.run.includes(team), `${file}: a step fails, naming ${team}, when it is not set`);
            assert.ok(steps(job).indexOf(check) < steps(job).indexOf(step), `${file}: the check runs before the sign-in`);
        }
    });

    it("pull requests run the README's test command", () => {
        const test = load("pull-request.yml").jobs.test;
        assert.ok(steps(test).some((s) => s.run === readmeTestCommand()), `a step runs '${readmeTestCommand()}'`);
    });

    it("pull requests run the mutation testing of the IAM policy modules and of the read-file modules, after the tests", () => {
        const test = load("pull-request.yml").jobs.test;
        const runs = steps(test).map((s) => s.run);
        for (const run of ["npm run mutate:policies", "npm run mutate:lambdas"]) {
            assert.ok(runs.indexOf(run) > runs.indexOf(readmeTestCommand()), `${run} after the tests`);
        }
    });

    it("pull requests review the change against the base branch, with its history checked out", () => {
        const test = load("pull-request.yml").jobs.test;
        assert.strictEqual(usesOf(test, "actions/checkout")[0].with["fetch-depth"], 0);
        const review = steps(test).find((s) => String(s.run).includes("--base"));
        assert.ok(review, "a step runs the change review");
        assert.match(review.run, /^npm run --silent plan -- --all --base "origin\/\$\{BASE_REF\}" --format markdown >> "\$GITHUB_STEP_SUMMARY"$/);
        assert.strictEqual(review.env.BASE_REF, "${{ github.base_ref }}");
    });

    it("a deploy refuses, before pulumi up, a change its deploy role cannot apply", () => {
        const up = load("deploy-stage.yml").jobs.up;
        assert.strictEqual(usesOf(up, "actions/checkout")[0].with["fetch-depth"], 0, "the deployed commit must be in the clone");
        const names = steps(up).map((s) => s.name);
        const refuse = steps(up).find((s) => String(s.run).includes("--refuse-admin-changes"));
        assert.ok(refuse, "a step refuses administrator changes");
        assert.ok(names.indexOf(refuse.name) < names.indexOf("Deploy ${{ inputs.stage }}"), "before pulumi up");
        assert.match(refuse.run, /npm run --silent plan -- --stack "\$STAGE" --base "\$base" --refuse-admin-changes/);
        assert.match(refuse.run, /exit 1/, "no deployed commit: stop, never deploy unreviewed");
    });

    it("pull requests preview every development stage, from its stack file, with that stage's preview role via OIDC, and never a production one", () => {
        const { jobs } = load("pull-request.yml");
        const listing = steps(jobs.stages).find((step) => step.id === "list");
        assert.match(listing.run, /^development=\$\(npm run --silent stages -- --tier development --format json\)$/m);
        assert.deepStrictEqual(jobs.stages.outputs, { development: "${{ steps.list.outputs.development }}" });
        const preview = jobs.preview;
        assert.deepStrictEqual(preview.needs, ["test", "stages"]);
        assert.strictEqual(preview.permissions["id-token"], "write");
        assert.strictEqual(preview.strategy.matrix.include, "${{ fromJSON(needs.stages.outputs.development) }}");
        // What the listing gives the matrix: the development stacks, each with its preview role variable and region.
        const listed = workflowStages().filter((s) => s.tier === "development");
        assert.deepStrictEqual(
            listed.map((s) => s.stage),
            STAGES.filter((stage) => stackConfig(stage)["federated-access:tier"] === "development"),
        );
        assert.ok(!workflowStages().some((s) => s.tier === "production" && listed.includes(s)), "no production stage is previewed");
        for (const entry of listed) {
            assert.strictEqual(entry.previewRoleVariable, `CI_PREVIEW_ROLE_ARN_${entry.stage.toUpperCase()}`);
            assert.strictEqual(entry.region, stackConfig(entry.stage)["aws:region"]);
        }
        const credentials = usesOf(preview, "aws-actions/configure-aws-credentials");
        assert.strictEqual(credentials.length, 1);
        assert.strictEqual(credentials[0].with["role-to-assume"], "${{ vars[matrix.previewRoleVariable] }}");
        assert.strictEqual(credentials[0].with["aws-region"], "${{ matrix.region }}");
        const previewRun = steps(preview).map((s) => s.run ?? "").find((r) => r.startsWith("pulumi preview"));
        assert.match(previewRun ?? "", /^pulumi preview --stack \$\{\{ matrix\.stage \}\} .*--policy-pack policy/);
        assert.ok(steps(preview).some((s) => s.run === "npm ci && npm ci --prefix policy"), "the policy pack's dependencies are installed");
    });

    it("take every region from the stack files, never from a variable or a literal", () => {
        for (const file of files) {
            assert.doesNotMatch(text(file), /AWS_REGION|[a-z]{2}-(north|south|east|west|central|northeast|southeast)+-\d/, file);
        }
        const regions = allJobs.flatMap(({ job }) => usesOf(job, "aws-actions/configure-aws-credentials").map((s) => s.with["aws-region"]));
        assert.deepStrictEqual([...new Set(regions)].sort(), ["${{ inputs.region }}", "${{ matrix.region }}"]);
        for (const [name, job] of Object.entries<any>(load("deploy.yml").jobs).filter(([, job]) => job.uses)) {
            assert.strictEqual(job.with.region, "${{ matrix.region }}", name);
        }
    });

    it("pull requests from a fork skip the preview with a notice instead of failing", () => {
        const { jobs } = load("pull-request.yml");
        const sameRepository = "github.event.pull_request.head.repo.full_name == github.repository";
        assert.strictEqual(jobs.stages.if, sameRepository);
        assert.strictEqual(jobs.preview.if, `${sameRepository} && needs.stages.outputs.development != '[]'`);
        assert.strictEqual(jobs["fork-notice"].if, sameRepository.replace("==", "!="));
        assert.strictEqual(jobs["fork-notice"].permissions, undefined, "the notice job holds only the workflow's read permission");
        assert.match(steps(jobs["fork-notice"]).map((s) => s.run).join("\n"), /echo "::notice title=Preview skipped::/);
        assert.strictEqual(jobs.test.if, undefined, "the tests and the plan run for forks too");
    });

    it("main deploys the development stages one by one, then the production ones, each stage from its stack file and queueing on its own", () => {
        const deploy = load("deploy.yml");
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        assert.ok(steps(deploy.jobs.test).some((s) => s.run === readmeTestCommand()));
        const listing = steps(deploy.jobs.stages).find((step) => step.id === "list");
        for (const tier of ["development", "production"]) {
            assert.match(listing.run, new RegExp(`^${tier}=\\$\\(npm run --silent stages -- --tier ${tier} --format json\\)$`, "m"));
            assert.strictEqual(deploy.jobs.stages.outputs[tier], `\${{ steps.list.outputs.${tier} }}`);
            const job = deploy.jobs[tier];
            assert.strictEqual(job.uses, "./.github/workflows/deploy-stage.yml", tier);
            assert.deepStrictEqual(job.strategy, { "max-parallel": 1, "fail-fast": true, matrix: { include: `\${{ fromJSON(needs.stages.outputs.${tier}) }}` } }, `${tier}: one stage at a time, stopping at the first failure`);
            assert.deepStrictEqual(job.with, {
                stage: "${{ matrix.stage }}",
                region: "${{ matrix.region }}",
                environment: "${{ matrix.environment }}",
                smoke_environment: "${{ matrix.smokeEnvironment }}",
            });
            assert.ok(String(job.if).includes(`needs.stages.outputs.${tier} != '[]'`), `${tier}: an empty tier runs nothing`);
        }
        assert.deepStrictEqual(deploy.jobs.development.needs, ["test", "stages"]);
        assert.deepStrictEqual(deploy.jobs.production.needs, ["test", "stages", "development"]);
        // Production waits for every development stage, and runs without one only when there is none.
        const productionIf = String(deploy.jobs.production.if);
        assert.match(productionIf, /needs\.development\.result == 'success' \|\| \(needs\.development\.result == 'skipped' && needs\.stages\.outputs\.development == '\[\]'\)/);
        assert.match(productionIf, /needs\.test\.result == 'success'/);
        // The listing gives the stages in deploy order, each tier's in name order.
        assert.deepStrictEqual(workflowStages().map((s) => s.stage), STAGES.filter((stage) => stackConfig(stage)["federated-access:githubRepository"]));
        // One group for the whole workflow would make an approval wait on prod hold every stage.
        assert.strictEqual(deploy.concurrency, undefined);
        const up = load("deploy-stage.yml").jobs.up;
        assert.strictEqual(up.environment, "${{ inputs.environment }}", "each stage runs in its GitHub environment (prod: approval)");
        assert.deepStrictEqual(up.concurrency, { group: "deploy-${{ inputs.stage }}", "cancel-in-progress": false });
    });

    it("a new stage is its stack file: the listing picks it up in deploy order, and refuses a stack file the workflows cannot run", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stages-"));
        try {
            for (const file of ["Pulumi.yaml", ...STAGES.map((stage) => `Pulumi.${stage}.yaml`)]) fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
            const deve = fs.readFileSync(path.join(root, "Pulumi.deve.yaml"), "utf8");
            fs.writeFileSync(path.join(root, "Pulumi.qa.yaml"), deve.replace(/githubDeployEnvironment: deve/, "githubDeployEnvironment: qa").replace(/aws:region: \S+/, "aws:region: eu-west-1"));
            const listed = workflowStages(root);
            assert.deepStrictEqual(listed.map((s) => s.stage), ["deve", "qa", "stag", "prod"]);
            assert.deepStrictEqual(listed[1], {
                stage: "qa",
                tier: "development",
                region: "eu-west-1",
                environment: "qa",
                smokeEnvironment: "qa-smoke",
                previewRoleVariable: "CI_PREVIEW_ROLE_ARN_QA",
            });
            fs.writeFileSync(path.join(root, "Pulumi.qa.yaml"), deve.replace(/githubDeployEnvironment: deve/, "githubDeployEnvironment: prod"));
            assert.throws(() => workflowStages(root), /Pulumi\.prod\.yaml: its GitHub environments \(prod, prod-smoke\) overlap Pulumi\.qa\.yaml's \(prod, prod-smoke\)/);
            fs.writeFileSync(path.join(root, "Pulumi.qa.yaml"), deve.replace(/\n\s*federated-access:githubDeployEnvironment:.*\n/, "\n"));
            assert.throws(() => workflowStages(root), /Pulumi\.qa\.yaml: 'federated-access:githubDeployEnvironment' is missing/);
            fs.renameSync(path.join(root, "Pulumi.qa.yaml"), path.join(root, "Pulumi.q-a.yaml"));
            assert.throws(() => workflowStages(root), /Pulumi\.q-a\.yaml: Invalid stage 'q-a'/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("a stage deploys with its deploy role, then smoke-checks in a job of its own under its smoke role only", () => {
        const { up, smoke: smokeJob } = load("deploy-stage.yml").jobs;
        const indexIn = (job: any, predicate: (s: any) => boolean, what: string) => {
            const found = steps(job).findIndex(predicate);
            assert.ok(found >= 0, what);
            return found;
        };
        const deployRole = indexIn(up, (s) => s.with?.["role-to-assume"] === "${{ vars.CI_DEPLOY_ROLE_ARN }}", "the deploy role is assumed");
        const pulumiUp = indexIn(up, (s) => String(s.run).startsWith("pulumi up --stack ${{ inputs.stage }} "), "pulumi up");
        const outputs = indexIn(up, (s) => s.run === "pulumi stack output --stack ${{ inputs.stage }} --json > stack-outputs.json", "the stack outputs are saved");
        const handed = indexIn(up, (s) => String(s.uses).startsWith("actions/upload-artifact@") && s.with?.path === "stack-outputs.json", "the outputs are handed on");
        assert.ok(deployRole < pulumiUp && pulumiUp < outputs && outputs < handed, "in this order");
        assert.strictEqual(steps(up)[handed].with.name, "stack-outputs-${{ inputs.stage }}");
        assert.strictEqual(usesOf(up, "aws-actions/configure-aws-credentials").length, 1, "the deploy job assumes the deploy role only");
        assert.ok(!steps(up).some((s) => /npm run .*smoke/.test(String(s.run))), "no smoke check runs in the deploy job");

        assert.strictEqual(smokeJob.needs, "up");
        const received = indexIn(smokeJob, (s) => String(s.uses).startsWith("actions/download-artifact@") && s.with?.name === "stack-outputs-${{ inputs.stage }}", "the outputs are received");
        const smokeRole = indexIn(smokeJob, (s) => s.with?.["role-to-assume"] === "${{ vars.CI_SMOKE_ROLE_ARN }}", "the smoke role is assumed");
        const smoke = indexIn(smokeJob, (s) => /^npm run --silent smoke -- --stack \$\{\{ inputs\.stage \}\} --outputs stack-outputs\.json --json .*> smoke-report\.json$/m.test(String(s.run)), "the smoke checks run");
        assert.ok(received < smokeRole && smokeRole < smoke, "in this order");
        assert.deepStrictEqual(usesOf(smokeJob, "aws-actions/configure-aws-credentials").map((s) => s.with["role-to-assume"]), ["${{ vars.CI_SMOKE_ROLE_ARN }}"], "the smoke job assumes the smoke role only");
        const all = steps(smokeJob);
        assert.match(all[smoke].run, /extra_flags=\(\)/, "a place for further smoke flags");
        // Cross-account access is required once the environment names the caller to act as.
        assert.strictEqual(all[smoke].env.SMOKE_CALLER_ROLE_ARN, "${{ vars.SMOKE_CALLER_ROLE_ARN }}");
        assert.match(all[smoke].run, /if \[ -n "\$SMOKE_CALLER_ROLE_ARN" \]; then\n\s+extra_flags\+=\(--require-caller --caller-role-arn "\$SMOKE_CALLER_ROLE_ARN"\)/);
        assert.match(all[smoke].run, /::warning::cross-account access not checked/);
        assert.strictEqual(all[smoke].env.SMOKE_EXTERNAL_ID, "${{ secrets.API_EXTERNAL_ID }}", "the ExternalId from a secret, never the command line");
    });

    it("the deploy and smoke jobs run in the environments their roles trust, different ones, and only they may ask for an OIDC token", () => {
        const workflow = load("deploy-stage.yml");
        assert.strictEqual(workflow.permissions["id-token"], undefined, "no workflow-wide id-token: write");
        const { up, smoke } = workflow.jobs;
        for (const [id, job] of Object.entries<any>(workflow.jobs)) {
            assert.strictEqual(job.permissions?.["id-token"], "write", `${id} asks for its own token`);
        }
        assert.notStrictEqual(up.environment, smoke.environment);
        assert.strictEqual(up.environment, "${{ inputs.environment }}");
        assert.strictEqual(smoke.environment, "${{ inputs.smoke_environment }}");
        for (const listed of workflowStages()) {
            // The listing hands each job the environment its role trusts, from the stack file.
            const { stage, environment, smokeEnvironment } = listed;
            assert.strictEqual(environment, stackConfig(stage)["federated-access:githubDeployEnvironment"], stage);
            const subjects = githubSubjects({ repository: "o/r", deployEnvironment: environment });
            assert.deepStrictEqual(subjects.deploy.sub, [`repo:o/r:environment:${environment}:ref:refs/heads/main`], `${stage}: the deploy role trusts the deploy job`);
            assert.deepStrictEqual(subjects.smoke.sub, [`repo:o/r:environment:${smokeEnvironment}:ref:refs/heads/main`], `${stage}: the smoke role trusts the smoke job`);
            assert.notStrictEqual(environment, smokeEnvironment);
            assert.strictEqual(peopleSmokeEnvironment({ deployEnvironment: environment }), smokeEnvironment, "the people model gives the pipeline the smoke job's token");
        }
    });
});
